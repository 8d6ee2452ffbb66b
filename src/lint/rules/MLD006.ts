import { runInfo, type Instr } from '../model.js'
import { isWholeContextCopy } from '../facts/context.js'
import { parsePipInstall } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'

const LOCAL_PROJECT = /^\.(\[.*\])?$|^\.\/?$/

/** A RUN that installs the project's dependencies (catalog rule MLD006's list). */
export function isDependencyInstall(instr: Instr): boolean {
  if (instr.keyword !== 'RUN') return false
  return runInfo(instr).commands.some((cmd) => {
    const pip = parsePipInstall(cmd)
    // `pip install --no-deps .` after the dependencies installs the project alone
    if (pip && cmd.args.some((a) => a.value === '--no-deps')) return false
    if (pip)
      return (
        pip.requirements.length > 0 ||
        pip.editable.some((e) => LOCAL_PROJECT.test(e)) ||
        pip.packages.some((p) => LOCAL_PROJECT.test(p))
      )
    const name = cmd.base
    const v = cmd.args.map((a) => a.value)
    if (name === 'poetry' && v[0] === 'install') return !v.includes('--only-root')
    if (name === 'uv' && v[0] === 'sync') return true
    if (name === 'pipenv' && v[0] === 'install') return true
    if (name === 'pdm' && v[0] === 'install') return true
    if (
      (name === 'conda' || name === 'mamba') &&
      v[0] === 'env' &&
      (v[1] === 'create' || v[1] === 'update') &&
      v.some((x) => x === '-f' || x.startsWith('--file'))
    )
      return true
    return false
  })
}

export const MLD006: Rule = {
  code: 'MLD006',
  severity: 'warning',
  message:
    'The whole source tree is copied before the dependencies are installed, so every code change reinstalls them. Copy the manifests (requirements*.txt, pyproject.toml, lock files) first, install, then copy the code',
  name: 'source-copied-before-dependency-install',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const stage of df.stages) {
      const install = stage.instructions.findIndex(isDependencyInstall)
      if (install < 0) continue
      const copy = stage.instructions.findIndex(isWholeContextCopy)
      if (copy >= 0 && copy < install) out.push({ line: stage.instructions[copy].line })
    }
    return out
  }
}
