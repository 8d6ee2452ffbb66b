import { normalize } from '../context.js'
import { isPythonCommand, copyInfo, runInfo, type Instr } from '../model.js'
/** Packages installed in a lineage (OS and Python), from RUNs and requirement files. */
import type { BuildContext, ContextFile } from '../context.js'
import { flagValue, nonFlagArgs, type SimpleCommand } from '../shell.js'
import { memo } from './memo.js'

export interface Installs {
  /** OS package name -> RUN that installed it (and did not remove it later) */
  os: Map<string, Instr>
  /** normalized Python distribution name -> RUN that installed it */
  python: Map<string, Instr>
  /** something was installed that the rules cannot see into (requirements without content, `.`, wheels dir, a copied venv) */
  opaque: boolean
}

export function normalizeDist(name: string): string {
  return name
    .replace(/\[.*$/, '')
    .replace(/\s*[=<>!~;@ ].*$/, '')
    .toLowerCase()
    .replace(/[_.]+/g, '-')
    .trim()
}

function osPackageName(arg: string): string {
  return arg.replace(/[=~<>].*$/, '')
}

const OS_INSTALL: Record<string, string[]> = {
  'apt-get': ['install'],
  apt: ['install'],
  aptitude: ['install'],
  apk: ['add'],
  yum: ['install'],
  dnf: ['install'],
  microdnf: ['install'],
  zypper: ['install', 'in']
}
const OS_REMOVE: Record<string, string[]> = {
  'apt-get': ['purge', 'remove'],
  apt: ['purge', 'remove'],
  apk: ['del'],
  yum: ['remove', 'erase'],
  dnf: ['remove', 'erase'],
  microdnf: ['remove']
}
const OS_FLAGS_WITH_ARGS = [
  't',
  'target-release',
  'o',
  'virtual',
  'repository',
  'X',
  'p',
  'root',
  'setopt',
  'enablerepo',
  'disablerepo'
]

function verbIndex(cmd: SimpleCommand, verbs: string[]): number {
  return cmd.args.findIndex((a) => verbs.includes(a.value))
}

/** Package arguments after the verb, flags and their values removed. */
export function packageArgs(cmd: SimpleCommand, verbIdx: number): string[] {
  const out: string[] = []
  for (let k = verbIdx + 1; k < cmd.args.length; k++) {
    const v = cmd.args[k].value
    if (v.startsWith('-')) {
      const name = v.replace(/^-+/, '').split('=')[0]
      if (!v.includes('=') && OS_FLAGS_WITH_ARGS.includes(name)) k++
      continue
    }
    out.push(v)
  }
  return out
}

/** `pip install` in any spelling: pip, pip3, pip3.11, python -m pip, uv pip. */
export function pipInstallArgs(cmd: SimpleCommand): string[] | undefined {
  const name = cmd.base
  const v = cmd.args.map((a) => a.value)
  let rest: string[] | undefined
  if (/^pip(\d(\.\d+)?)?$/.test(name) && v[0] === 'install') rest = v.slice(1)
  else if (name === 'uv' && v[0] === 'pip' && v[1] === 'install') rest = v.slice(2)
  else if (isPythonCommand(cmd.name)) {
    const m = v.findIndex((x, k) => x === '-m' && v[k + 1] === 'pip' && v[k + 2] === 'install')
    if (m >= 0) rest = v.slice(m + 3)
  }
  return rest
}

const PIP_VALUE_FLAGS = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--src',
  '--python',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--trusted-host',
  '--proxy',
  '--upgrade-strategy',
  '--progress-bar',
  '--root-user-action',
  '--no-binary',
  '--only-binary',
  '-b',
  '--build',
  '--index-strategy',
  '--python-platform'
])

export interface PipInstall {
  cmd: SimpleCommand
  packages: string[]
  requirements: string[]
  constraints: string[]
  editable: string[]
  indexUrls: string[]
}

/** `pip install` arguments sorted into packages, requirement/constraint files, editables, index URLs. */
export const parsePipInstall: (cmd: SimpleCommand) => PipInstall | undefined = memo(
  (cmd: SimpleCommand) => computePipInstall(cmd)
)

function computePipInstall(cmd: SimpleCommand): PipInstall | undefined {
  const rest = pipInstallArgs(cmd)
  if (!rest) return undefined
  const out: PipInstall = {
    cmd,
    packages: [],
    requirements: [],
    constraints: [],
    editable: [],
    indexUrls: []
  }
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k]
    if (a.startsWith('-')) {
      const [flag, inline] =
        a.includes('=') && a.startsWith('--')
          ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
          : [a, undefined]
      let value = inline
      let shortInline = false
      if (value === undefined && /^-[rcefi]./.test(a)) {
        value = a.slice(2)
        shortInline = true
      }
      const key = shortInline ? a.slice(0, 2) : flag
      if (value === undefined && PIP_VALUE_FLAGS.has(key)) value = rest[++k]
      if (value === undefined) continue
      if (key === '-r' || key === '--requirement') out.requirements.push(value)
      else if (key === '-c' || key === '--constraint') out.constraints.push(value)
      else if (key === '-e' || key === '--editable') out.editable.push(value)
      else if (['-i', '--index-url', '--extra-index-url', '-f', '--find-links'].includes(key))
        out.indexUrls.push(value)
      continue
    }
    out.packages.push(a)
  }
  return out
}

/** A pip argument that names a local project, wheel or directory rather than a distribution. */
export function isLocalPipTarget(arg: string): boolean {
  return (
    arg === '.' ||
    arg.startsWith('.') ||
    arg.startsWith('/') ||
    arg.includes('/') ||
    arg.endsWith('.whl') ||
    arg.endsWith('.tar.gz') ||
    arg.endsWith('.zip') ||
    arg.includes('*')
  )
}

/** Requirement lines of a requirements file content (comments, options, blank lines removed). */
export function requirementLines(content: string): { line: string; option: boolean }[] {
  return content
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '')
    .map((l) => ({ line: l, option: l.startsWith('-') }))
}

/** Finds the context file a `-r <path>` in an image refers to (by path, then by name). */
export function findRequirementsFile(
  ctx: BuildContext | undefined,
  path: string
): ContextFile | undefined {
  if (!ctx) return undefined
  const clean = normalize(path)
  const direct = ctx.byPath.get(clean)
  if (direct) return direct
  const base = clean.split('/').pop()!
  const parts = clean.split('/')
  for (let n = 1; n < parts.length; n++) {
    const tail = parts.slice(n).join('/')
    const f = ctx.byPath.get(tail)
    if (f) return f
  }
  const sameName = ctx.files.filter((f) => f.path.split('/').pop() === base)
  return sameName.length === 1 ? sameName[0] : sameName.find((f) => !f.path.includes('/'))
}

const OPAQUE_PY_TOOLS: [string, string][] = [
  ['poetry', 'install'],
  ['uv', 'sync'],
  ['pipenv', 'install'],
  ['pdm', 'install'],
  ['pdm', 'sync'],
  ['conda', 'env'],
  ['mamba', 'env'],
  ['micromamba', 'create']
]

const NO_CONTEXT = {}
const installsByList = memo((instrs: Instr[]) =>
  memo((ctx: object) =>
    computeInstalls(instrs, ctx === NO_CONTEXT ? undefined : (ctx as BuildContext))
  )
)

/** D7 over a list of instructions (usually a lineage); once per list and context. */
export function installsIn(instrs: Instr[], ctx: BuildContext | undefined): Installs {
  return installsByList(instrs)(ctx ?? NO_CONTEXT)
}

function computeInstalls(instrs: Instr[], ctx: BuildContext | undefined): Installs {
  const result: Installs = { os: new Map(), python: new Map(), opaque: false }
  const groups = new Map<string, string[]>()
  for (const instr of instrs) {
    if (instr.keyword === 'COPY' && copyInfo(instr).from !== undefined) {
      if (
        copyInfo(instr).sources.some((s) => /(^|\/)\.?venv\/?$|site-packages|dist-packages/.test(s))
      )
        result.opaque = true
      continue
    }
    if (instr.keyword !== 'RUN') continue
    const { commands } = runInfo(instr)
    for (const cmd of commands) {
      const name = cmd.base
      const install = OS_INSTALL[name]
      if (install) {
        const k = verbIndex(cmd, install)
        if (k >= 0) {
          const pkgs = packageArgs(cmd, k).map(osPackageName)
          for (const p of pkgs) result.os.set(p, instr)
          const group = name === 'apk' ? flagValue(cmd, ['t'], ['virtual']) : undefined
          if (group) groups.set(group, pkgs)
        }
      }
      const remove = OS_REMOVE[name]
      if (remove) {
        const k = verbIndex(cmd, remove)
        if (k >= 0) {
          for (const p of packageArgs(cmd, k).map(osPackageName)) {
            result.os.delete(p)
            for (const g of groups.get(p) ?? []) result.os.delete(g)
          }
        }
      }
      const pip = parsePipInstall(cmd)
      if (pip) {
        for (const p of pip.packages) {
          if (isLocalPipTarget(p) || p.includes('$')) result.opaque = true
          else result.python.set(normalizeDist(p), instr)
        }
        if (pip.editable.length > 0) result.opaque = true
        for (const r of pip.requirements) {
          const file = findRequirementsFile(ctx, r)
          if (file?.content === undefined) result.opaque = true
          else {
            for (const { line, option } of requirementLines(file.content)) {
              if (option) {
                if (/^(-r|--requirement|-e|--editable)\b/.test(line)) result.opaque = true
                continue
              }
              if (isLocalPipTarget(line.split(/[;\s]/)[0])) result.opaque = true
              else result.python.set(normalizeDist(line), instr)
            }
          }
        }
      }
      if (
        (name === 'poetry' && cmd.args[0]?.value === 'add') ||
        ((name === 'conda' || name === 'mamba' || name === 'micromamba') &&
          cmd.args[0]?.value === 'install')
      ) {
        for (const p of nonFlagArgs(cmd.args.slice(1)))
          result.python.set(normalizeDist(p.value), instr)
      }
      if (OPAQUE_PY_TOOLS.some(([tool, verb]) => name === tool && cmd.args[0]?.value === verb))
        result.opaque = true
      if (name === 'pip' && cmd.args[0]?.value === 'sync') result.opaque = true
    }
  }
  return result
}

const TOOLCHAIN = new Set([
  'gcc',
  'g++',
  'cc',
  'clang',
  'make',
  'cmake',
  'build-essential',
  'gfortran',
  'musl-dev'
])

export function isToolchainPackage(pkg: string): boolean {
  return (
    TOOLCHAIN.has(pkg) ||
    /^gcc-\d+$|^g\+\+-\d+$/.test(pkg) ||
    pkg.endsWith('-dev') ||
    pkg.endsWith('-devel')
  )
}
