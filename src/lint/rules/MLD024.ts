import { copyInfo, runInfo, type Instr } from '../model.js'
import { lineageInstructions } from '../facts/lineage.js'
import { contextCopies, shippedBy, sourceReaches } from '../facts/context.js'
import { findRequirementsFile, parsePipInstall, requirementLines } from '../facts/installs.js'
import { varsBefore } from '../facts/scopes.js'
import type { Hit, Rule } from '../rule.js'

const LOCKS: [string, string, string][] = [
  ['poetry', 'install', 'poetry.lock'],
  ['uv', 'sync', 'uv.lock'],
  ['pipenv', 'install', 'Pipfile.lock'],
  ['pdm', 'install', 'pdm.lock']
]

/** Flags with which the tool fails rather than resolve without its lock file. */
const LOCK_REQUIRED = ['--frozen', '--locked', '--deploy', '--ignore-pipfile', '--frozen-lockfile']

/** A requirement that is not locked: not `==`/`===` without `*`, not a direct reference or local path. */
export function unlockedRequirement(line: string): boolean {
  const spec = line
    .split(';')[0]
    .replace(/\s--hash[=\s]\S+/g, '')
    .trim()
  if (/^[a-z]+\+[a-z]+:\/\//i.test(spec)) return !/@[^/@]+$/.test(spec.split('#')[0])
  if (/^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@\s*\S/.test(spec)) return false
  if (/^(\.|\/|~|https?:|file:)/i.test(spec) || spec.endsWith('.whl') || spec.endsWith('.tar.gz'))
    return false
  return !/^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*===?\s*[^\s,*]+$/.test(spec)
}

export const MLD024: Rule = {
  code: 'MLD024',
  severity: 'warning',
  message:
    'Python dependencies are installed without a lock (loose requirements, missing lock file)',
  name: 'dependencies-not-locked',
  check: ({ df, context }) => {
    const out: Hit[] = []
    for (const stage of df.stages) {
      const lineageInstrs = lineageInstructions(stage)
      for (const instr of stage.instructions.filter((i) => i.keyword === 'RUN')) {
        const { commands, mounts } = runInfo(instr)
        for (const cmd of commands) {
          const pip = parsePipInstall(cmd)
          if (pip && pip.requirements.length > 0 && pip.constraints.length === 0) {
            for (const req of pip.requirements) {
              const content = findRequirementsFile(context, req)?.content
              if (content === undefined) continue
              const lines = requirementLines(content)
              if (lines.some((l) => l.option && /^(-c|--constraint)\b/.test(l.line))) continue
              const loose = lines
                .filter((l) => !l.option && unlockedRequirement(l.line))
                .map((l) => l.line)
              if (loose.length > 0) {
                out.push({
                  line: instr.line,
                  message: `${req} is not locked (${loose.slice(0, 3).join(', ')}${loose.length > 3 ? `, +${loose.length - 3}` : ''}): each rebuild may resolve a different torch/numpy/CUDA combination. Pin exact versions (pip-compile, \`uv pip compile\`) or add a constraints file`
                })
              }
            }
          }
          const lock = LOCKS.find(
            ([tool, verb]) => cmd.base === tool && cmd.args[0]?.value === verb
          )
          if (
            lock &&
            // the tool itself refuses to run without the lock (or with a stale one)
            !cmd.args.some((a) => LOCK_REQUIRED.includes(a.value)) &&
            !lockPresent(
              lock[2],
              instr,
              lineageInstrs,
              mounts.map((m) => m.source ?? ''),
              context,
              df
            )
          ) {
            out.push({
              line: instr.line,
              message: `\`${lock[0]} ${lock[1]}\` runs without ${lock[2]} in the image: dependencies are resolved afresh on every build. COPY ${lock[2]} before installing`
            })
          }
        }
      }
    }
    return out
  }
}

function lockPresent(
  lock: string,
  install: Instr,
  instrs: Instr[],
  bindSources: string[],
  context: Parameters<Rule['check']>[0]['context'],
  df: Parameters<Rule['check']>[0]['df']
): boolean {
  if (bindSources.some((s) => s.split('/').pop() === lock)) return true
  const before = instrs.slice(0, instrs.indexOf(install))
  for (const i of contextCopies(before)) {
    const c = copyInfo(i)
    if (
      c.sources.some(
        (s) => s.split('/').pop() === lock || (/[*?[]/.test(s) && sourceReaches(s, lock))
      )
    )
      return true
    // a whole-context or directory copy (`COPY server server`) may carry the lock
    if (c.sources.some((s) => ['.', './', '*', './*'].includes(s) || !/\.[^/]*$/.test(s))) {
      if (!context) return true // unknown context: cannot tell
      if (shippedBy(i, context, varsBefore(df, i)).some((f) => f.path.split('/').pop() === lock))
        return true
    }
  }
  return false
}
