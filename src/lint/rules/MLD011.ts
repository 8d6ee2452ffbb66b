import { isToolchainPackage, installsIn } from '../facts/installs.js'
import { argDecls, runInfo, type Instr } from '../model.js'
import { finalStage, lineageInstructions } from '../facts/lineage.js'
import type { Dockerfile, Stage } from '../model.js'
import type { Hit, Rule } from '../rule.js'

/** Build args declared without a default (and no global default) before an instruction. */
function unsetArgs(df: Dockerfile, stage: Stage, before: Instr): Set<string> {
  const out = new Set<string>()
  for (const i of lineageInstructions(stage)) {
    if (i === before) break
    if (i.keyword !== 'ARG') continue
    for (const a of argDecls(i)) {
      if (a.value === undefined && df.globalArgs.get(a.name) === undefined) out.add(a.name)
      else out.delete(a.name)
    }
  }
  return out
}

const OS_INSTALLERS = new Set(['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf', 'zypper'])

/**
 * `if [ "$INSTALL_DEV" = "true" ]; then apt-get install -y gcc; fi` with `ARG INSTALL_DEV` and no
 * default: the default build installs nothing, so the toolchain is not in the default image.
 */
function gatedOnUnsetArg(df: Dockerfile, stage: Stage, instr: Instr): boolean {
  const { script, commands } = runInfo(instr)
  const installs = commands.filter(
    (c) =>
      OS_INSTALLERS.has(c.base) && c.args.some((a) => a.value === 'install' || a.value === 'add')
  )
  if (installs.length === 0 || installs.some((c) => c.depth === 0)) return false
  const unset = unsetArgs(df, stage, instr)
  for (const m of script.matchAll(/\b(?:if|elif)\s+(?:\[\[?|test\b)([^;\n]*)/g)) {
    for (const v of m[1].matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
      if (unset.has(v[1])) return true
  }
  return false
}

export const MLD011: Rule = {
  code: 'MLD011',
  severity: 'warning',
  message: 'Compilers or -dev packages stay installed in the final image',
  name: 'build-toolchain-in-final-stage',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    if (!stage) return []
    const byRun = new Map<Instr, string[]>()
    for (const [pkg, instr] of installsIn(lineageInstructions(stage), context).os) {
      if (isToolchainPackage(pkg) && !gatedOnUnsetArg(df, stage, instr))
        byRun.set(instr, [...(byRun.get(instr) ?? []), pkg])
    }
    const out: Hit[] = []
    for (const [instr, pkgs] of byRun) {
      out.push({
        line: instr.line,
        message: `The final image keeps build tools (${pkgs.join(', ')}): build wheels in a builder stage, or remove them in the same RUN (\`apt-get purge -y --auto-remove ...\`, \`apk del .build-deps\`)`
      })
    }
    return out.sort((a, b) => a.line - b.line)
  }
}
