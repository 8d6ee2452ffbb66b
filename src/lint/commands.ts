/**
 * Command-level predicates shared by rules: package-manager invocations with hadolint's
 * semantics (which arguments are packages, which flags take values).
 */
import { runInfo, type Dockerfile, type Instr, type Mount, type RunInfo } from './model.js'
import { dropFlagArgs, hasArg, nonFlagArgs, type SimpleCommand, type Word } from './shell.js'

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

/** hadolint's isPipInstall: `pip*` (not pipenv) with `install`, or `python* -m pip install`. */
export function isPipInstall(cmd: SimpleCommand): boolean {
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
