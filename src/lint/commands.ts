/**
 * Command-level predicates shared by rules: package-manager invocations with hadolint's
 * semantics (which arguments are packages, which flags take values).
 */
import {
  argDecls,
  envPairs,
  runInfo,
  type Dockerfile,
  type Instr,
  type Mount,
  type RunInfo
} from './model.js'
import {
  cmdHasArgs,
  dropFlagArgs,
  hasArg,
  nonFlagArgs,
  type SimpleCommand,
  type Word
} from './shell.js'

export interface RunRef {
  instr: Instr
  run: RunInfo
}

export function runs(df: Dockerfile): RunRef[] {
  return df.instructions
    .filter((i) => i.keyword === 'RUN')
    .map((instr) => ({ instr, run: runInfo(instr) }))
}

export function anyCommand(instr: Instr, pred: (cmd: SimpleCommand) => boolean): boolean {
  return instr.keyword === 'RUN' && runInfo(instr).commands.some(pred)
}

export function hasCacheOrTmpfsMount(
  mounts: Mount[],
  targetMatches: (target: string) => boolean
): boolean {
  return mounts.some(
    (m) =>
      (m.type === 'cache' || m.type === 'tmpfs') &&
      m.target !== undefined &&
      targetMatches(m.target)
  )
}

// --- pip --------------------------------------------------------------------------------------

/**
 * Whether hadolint sees a command here: ShellCheck gives a command name only for a literal first
 * word, so `python$PY -m pip install` or `$CC -o x` are no commands to hadolint's rules.
 */
export function hasLiteralName(cmd: SimpleCommand): boolean {
  return cmd.name !== '' && !/[$`]/.test(cmd.name)
}

/** hadolint's isPipInstall: `pip*` (not pipenv) with `install`, or `python* -m pip install`. */
export function isPipInstall(cmd: SimpleCommand): boolean {
  if (!hasLiteralName(cmd)) return false
  const name = cmd.name
  if (name.startsWith('pip') && !name.startsWith('pipenv')) return hasArg(cmd, 'install')
  if (name.startsWith('python')) {
    const v = cmd.args.map((a) => a.value)
    for (let i = 0; i + 2 < v.length; i++) {
      if (v[i] === '-m' && v[i + 1] === 'pip' && v[i + 2] === 'install') return true
    }
  }
  return false
}

/** pip options that take a value as the next argument (hadolint DL3013's list). */
export const PIP_FLAGS_WITH_ARGS = [
  'abi',
  'b',
  'build',
  'e',
  'editable',
  'extra-index-url',
  'f',
  'find-links',
  'i',
  'index-url',
  'implementation',
  'no-binary',
  'only-binary',
  'platform',
  'prefix',
  'progress-bar',
  'proxy',
  'python',
  'python-version',
  'root',
  'root-user-action',
  'src',
  't',
  'target',
  'trusted-host',
  'upgrade-strategy'
]

/** Package arguments of a pip install (after `install`, flag values removed). */
export function pipPackages(cmd: SimpleCommand): Word[] {
  const args = nonFlagArgs(dropFlagArgs(cmd, PIP_FLAGS_WITH_ARGS))
  const i = args.findIndex((a) => a.value === 'install')
  return i < 0 ? [] : args.slice(i + 1)
}

// --- apt-get / apk ----------------------------------------------------------------------------

export function isAptGetInstall(cmd: SimpleCommand): boolean {
  return cmd.name === 'apt-get' && hasArg(cmd, 'install')
}

export function aptGetPackages(cmd: SimpleCommand): Word[] {
  if (!isAptGetInstall(cmd)) return []
  return nonFlagArgs(dropFlagArgs(cmd, ['t', 'target-release'])).filter(
    (a) => a.value !== 'install'
  )
}

export function isApkAdd(cmd: SimpleCommand): boolean {
  return cmd.name === 'apk' && hasArg(cmd, 'add')
}

export function apkPackages(cmd: SimpleCommand): Word[] {
  if (!isApkAdd(cmd)) return []
  return nonFlagArgs(dropFlagArgs(cmd, ['t', 'virtual', 'repository', 'X'])).filter(
    (a) => a.value !== 'add'
  )
}

// --- rpm package managers (yum, dnf, microdnf) ----------------------------------------------------

/** Arguments of `<name> install` (one of `names`), without flags and the words install/module. */
function rpmInstallArgs(cmd: SimpleCommand, names: string[]): string[] {
  if (!names.some((n) => cmdHasArgs(cmd, n, ['install']))) return []
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

/**
 * hadolint's version test for rpm packages: `name-version`, an .rpm file with a dash in its name,
 * or a `${VAR}` (`$VAR` reads the same) naming one of `vars`.
 */
export function rpmPackagePinned(pkg: string, vars: Set<string>): boolean {
  const parts = pkg.split('-')
  if (parts.length <= 1) return false
  if (pkg.endsWith('.rpm')) return true
  if (pkg.includes('$')) {
    const braced = pkg.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '${$1}')
    return [...vars].some((v) => braced.includes(`\${${v}}`))
  }
  return versionLike(parts.slice(1))
}

/**
 * RUNs installing an rpm package without a version or a module without a stream. `notPackages`:
 * the verbs whose commands install no packages (`module`, and `group` for dnf). Variables count as
 * a version when they are an ENV of the stage (inherited through `FROM <alias>`) or any ARG
 * declared earlier in the file, as in hadolint.
 */
export function unpinnedRpmInstalls(
  df: Dockerfile,
  names: string[],
  notPackages: string[]
): { line: number }[] {
  const is = (c: SimpleCommand, verbs: string[]) => names.some((n) => cmdHasArgs(c, n, verbs))
  const out: { line: number }[] = []
  const args = new Set<string>()
  const stageEnvs: Set<string>[] = []
  const aliases: (string | undefined)[] = []
  let envs = new Set<string>()
  for (const i of df.instructions) {
    if (i.keyword === 'FROM' && i.stage) {
      const parent = aliases.indexOf(i.stage.image)
      envs = new Set(parent >= 0 ? stageEnvs[parent] : [])
      stageEnvs.push(envs)
      aliases.push(i.stage.alias)
    } else if (i.keyword === 'ENV') for (const p of envPairs(i)) envs.add(p.key)
    else if (i.keyword === 'ARG') for (const a of argDecls(i)) args.add(a.name)
    else if (i.keyword === 'RUN') {
      const vars = new Set([...envs, ...args])
      const cmds = runInfo(i).commands
      const packages = cmds
        .filter((c) => !is(c, notPackages))
        .flatMap((c) => rpmInstallArgs(c, names))
      const modules = cmds.filter((c) => is(c, ['module'])).flatMap((c) => rpmInstallArgs(c, names))
      if (
        !packages.every((p) => rpmPackagePinned(p, vars)) ||
        !modules.every((m) => m.includes(':'))
      )
        out.push({ line: i.line })
    }
  }
  return out
}

/** An install by one of `names` that no later clean (as `isClean` decides) follows in the RUN. */
export function cleanMissing(
  commands: SimpleCommand[],
  isInstall: (c: SimpleCommand) => boolean,
  isClean: (c: SimpleCommand) => boolean
): boolean {
  const install = commands.findIndex(isInstall)
  if (install < 0) return false
  const clean = commands.findIndex(isClean)
  return !(clean >= 0 && install < clean)
}
