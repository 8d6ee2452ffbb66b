import { argDecls, envPairs, runInfo, type Instr } from '../model.js'
import type { Rule } from '../rule.js'
import { cmdHasArgs, nonFlagArgs, type SimpleCommand } from '../shell.js'

const DNF = ['dnf', 'microdnf']

function isDnf(cmd: SimpleCommand, verbs: string[]): boolean {
  return DNF.some((n) => cmdHasArgs(cmd, n, verbs))
}

/** Arguments of a dnf/microdnf `install`, without flags and the words install/module. */
function installArgs(cmd: SimpleCommand): string[] {
  if (!isDnf(cmd, ['install'])) return []
  return nonFlagArgs(cmd.args)
    .map((a) => a.value)
    .filter((a) => a !== 'install' && a !== 'module')
}

function versionLike(parts: string[]): boolean {
  return (
    parts.length > 0 &&
    parts.every((p) => /^[0-9A-Za-z.~^_:+]*$/.test(p)) &&
    parts.some((p) => /^\d/.test(p))
  )
}

/** `name-version`, an .rpm file, or a `${VAR}` the stage (ENV) or the file (ARG) defines. */
function packagePinned(pkg: string, vars: Set<string>): boolean {
  const parts = pkg.split('-')
  if (parts.length <= 1) return false
  if (pkg.endsWith('.rpm')) return true
  if (pkg.includes('$')) {
    // hadolint reads `$V` from the shell's syntax tree, where it is `${V}`
    const braced = pkg.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '${$1}')
    return [...vars].some((v) => braced.includes(`\${${v}}`))
  }
  return versionLike(parts.slice(1))
}

/**
 * Packages of `dnf install` need a version (`pkg-1.2`), modules of `dnf module install` a stream
 * (`nodejs:18`). Variables count as a version when VAR is an ENV of the stage
 * (inherited through `FROM <alias>`) or any ARG declared earlier, as in hadolint.
 */
export const DL3041: Rule = {
  code: 'DL3041',
  severity: 'warning',
  message: 'Specify version with `dnf install -y <package>-<version>`.',
  name: 'dnf-pin',
  onbuild: true,
  check: ({ df }) => {
    const out: { line: number }[] = []
    const args = new Set<string>()
    const stageEnvs: Set<string>[] = []
    const aliases: (string | undefined)[] = []
    let envs = new Set<string>()
    const fail = (i: Instr, vars: Set<string>): boolean => {
      const cmds = runInfo(i).commands
      const packages = cmds.filter((c) => !isDnf(c, ['module', 'group'])).flatMap(installArgs)
      const modules = cmds.filter((c) => isDnf(c, ['module'])).flatMap(installArgs)
      return (
        !packages.every((p) => packagePinned(p, vars)) || !modules.every((m) => m.includes(':'))
      )
    }
    for (const i of df.instructions) {
      if (i.keyword === 'FROM' && i.stage) {
        const parent = aliases.indexOf(i.stage.image)
        envs = new Set(parent >= 0 ? stageEnvs[parent] : [])
        stageEnvs.push(envs)
        aliases.push(i.stage.alias)
      } else if (i.keyword === 'ENV') for (const p of envPairs(i)) envs.add(p.key)
      else if (i.keyword === 'ARG') for (const a of argDecls(i)) args.add(a.name)
      else if (i.keyword === 'RUN' && fail(i, new Set([...envs, ...args])))
        out.push({ line: i.line })
    }
    return out
  }
}
