/**
 * Facts the MLD rules share, following the definitions D1-D8 of the ML rule catalog:
 * whole-context copies and what a COPY ships, ML artifacts, service images, packages
 * installed in a lineage, base-image facts, the effective CMD/ENTRYPOINT.
 */
import type { BuildContext, ContextFile } from './context.js'
import { normalize } from './context.js'
import { familiarReference, repositoryOf, splitReference } from '../reference.js'
import {
  argDecls,
  isRootUser,
  copyInfo,
  envPairs,
  execForm,
  expand,
  healthInfo,
  isPythonCommand,
  lineage,
  lineageInstructions,
  runInfo,
  type Dockerfile,
  type HealthInfo,
  type Instr,
  type Stage
} from './model.js'
import { baseName, flagValue, nonFlagArgs, parseShell, type SimpleCommand } from './shell.js'

// --- images -----------------------------------------------------------------------------------

/** The external image a stage is ultimately built on (through `FROM <alias>` chains), normalized. */
export function rootImage(stage: Stage): string | undefined {
  const chain = lineage(stage)
  const root = chain[chain.length - 1]
  const image = root.resolvedImage
  if (image === undefined || image === '') return undefined
  return normalizeImage(image)
}

/** Docker Hub's familiar form: `docker.io/library/python:3` -> `python:3`. */
export function normalizeImage(image: string): string {
  return familiarReference(image)
}

/** The repository as written, without tag or digest. */
export function imageName(image: string): string {
  return repositoryOf(image)
}

export function imageTag(image: string): string | undefined {
  return splitReference(image).tag
}

export function isOfficialPython(image: string | undefined): boolean {
  return image !== undefined && imageName(image) === 'python'
}

/** `3.11` for `python:3.11-slim`, undefined for other images or tags without a minor version. */
export function pythonMinor(image: string | undefined): string | undefined {
  if (!isOfficialPython(image)) return undefined
  return /^(\d+\.\d+)/.exec(imageTag(image!) ?? '')?.[1]
}

export function isCudaImage(image: string | undefined): boolean {
  if (image === undefined) return false
  const name = imageName(image)
  return (
    name === 'nvidia/cuda' ||
    name.startsWith('nvcr.io/nvidia/') ||
    (name === 'pytorch/pytorch' && (imageTag(image) ?? '').includes('cuda')) ||
    image.toLowerCase().includes('cuda')
  )
}

// --- is this the Dockerfile's context? ---------------------------------------------------------

/**
 * Whether a context can be the one the Dockerfile is built from: every literal COPY/ADD source
 * (no wildcard, variable, URL, heredoc or other stage) exists in it, as `docker build` requires.
 * A Dockerfile linted away from its project (a directory holding only the Dockerfile, a context
 * that lives elsewhere) fails this, and the context rules then stay silent instead of reporting
 * a missing .dockerignore or lock file that the real context has.
 */
export function contextFits(df: Dockerfile, ctx: BuildContext): boolean {
  for (const instr of df.instructions) {
    if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') continue
    const c = copyInfo(instr)
    if (c.from !== undefined) continue
    for (const raw of c.sources) {
      if (/[*?[$]/.test(raw) || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.startsWith('git@'))
        continue
      const path = normalize(raw)
      if (path === '' || path === '.') continue
      if (ctx.byPath.has(path)) continue
      if (ctx.files.some((f) => f.path.startsWith(`${path}/`))) continue
      return false
    }
  }
  return true
}

// --- D8: base image facts -------------------------------------------------------------------------

export type BinaryPresence = 'present' | 'absent' | 'unknown'

const DEBIAN_CODENAMES = ['bookworm', 'bullseye', 'buster', 'trixie', 'stretch']

/** Full `python:<version>` or `python:<version>-<codename>` (buildpack-deps based). */
export function isFullPython(image: string | undefined): boolean {
  if (!isOfficialPython(image)) return false
  const tag = imageTag(image!) ?? ''
  return new RegExp(`^\\d+(\\.\\d+)*(-(${DEBIAN_CODENAMES.join('|')}))?$`).test(tag)
}

/** Whether the base image ships a binary (D8); 'unknown' for bases the catalog does not describe. */
export function baseShips(image: string | undefined, binary: string): BinaryPresence {
  if (image === undefined) return 'unknown'
  const name = imageName(image)
  const tag = imageTag(image) ?? ''
  if (image === 'scratch' || name.startsWith('gcr.io/distroless/')) return 'absent'
  if ((name === 'python' && tag.includes('alpine')) || name === 'alpine') {
    return binary === 'wget' || binary === 'nc' ? 'present' : 'absent'
  }
  if (isFullPython(image)) return binary === 'curl' || binary === 'wget' ? 'present' : 'absent'
  const slimLike =
    (name === 'python' && tag.includes('slim')) ||
    (name === 'debian' && tag.includes('slim')) ||
    name === 'ubuntu' ||
    (name === 'nvidia/cuda' && (/-base-/.test(tag) || /-runtime-/.test(tag)))
  return slimLike ? 'absent' : 'unknown'
}

// --- D5: ML artifacts ---------------------------------------------------------------------------

export const ML_EXTENSIONS = [
  '.pkl',
  '.pickle',
  '.joblib',
  '.pt',
  '.pth',
  '.ckpt',
  '.safetensors',
  '.onnx',
  '.h5',
  '.hdf5',
  '.keras',
  '.pb',
  '.tflite',
  '.gguf',
  '.ggml',
  '.npy',
  '.npz',
  '.parquet',
  '.feather',
  '.arrow'
]
export const ML_DIRS = new Set([
  'models',
  'model',
  'weights',
  'checkpoints',
  'ckpt',
  'artifacts',
  'data',
  'datasets',
  'mlruns',
  'wandb',
  'outputs',
  'runs',
  'lightning_logs'
])
const TEN_MIB = 10 * 1024 * 1024

export function hasMlExtension(path: string): boolean {
  const p = path.toLowerCase()
  return ML_EXTENSIONS.some((e) => p.endsWith(e))
}

export function isMlArtifact(f: ContextFile): boolean {
  if (f.path.endsWith('/')) return false
  if (hasMlExtension(f.path)) return true
  if (f.path.toLowerCase().endsWith('.bin') && f.size >= TEN_MIB) return true
  const top = f.path.split('/')[0]
  return f.path.includes('/') && ML_DIRS.has(top) && f.size >= TEN_MIB
}

// --- D2/D4: copies and what they ship -----------------------------------------------------------

const WHOLE_SOURCES = new Set(['.', './', '*', './*'])

export function isWholeContextCopy(instr: Instr): boolean {
  if (instr.keyword !== 'COPY' && instr.keyword !== 'ADD') return false
  const c = copyInfo(instr)
  return c.from === undefined && c.sources.some((s) => WHOLE_SOURCES.has(s))
}

/** Context copies (COPY/ADD without --from, not URLs) of a stage lineage or the whole file. */
export function contextCopies(instrs: Instr[]): Instr[] {
  return instrs.filter(
    (i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && copyInfo(i).from === undefined
  )
}

function globToRegExp(glob: string): RegExp {
  let re = '^'
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*'
        i++
      } else re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const close = glob.indexOf(']', i)
      if (close > i) {
        re +=
          '[' +
          glob
            .slice(i + 1, close)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\') +
          ']'
        i = close
      } else re += '\\['
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(re + '$')
}

/** Does a COPY source (context-relative, maybe a glob) reach this context path? */
export function sourceReaches(source: string, path: string): boolean {
  const src = normalize(source)
  if (src === '.' || src === '*') return true
  if (!/[*?[]/.test(src)) return path === src || path.startsWith(src + '/')
  const re = globToRegExp(src)
  const parts = path.split('/')
  for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) return true
  return false
}

/** Context files a COPY/ADD ships (after .dockerignore and `--exclude`). */
export function shippedBy(
  instr: Instr,
  ctx: BuildContext,
  vars: (n: string) => string | undefined = () => undefined
): ContextFile[] {
  const c = copyInfo(instr)
  if (c.from !== undefined) return []
  const sources = c.sources
    .filter((s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !s.startsWith('git@'))
    .map((s) => expand(s, vars))
    .filter((s): s is string => s !== undefined)
  const excludes = instr.flags.filter((f) => f.name === 'exclude' && f.value).map((f) => f.value!)
  return ctx.included.filter(
    (f) =>
      !f.path.endsWith('/') &&
      sources.some((s) => sourceReaches(s, f.path)) &&
      !excludes.some((e) => sourceReaches(e, f.path))
  )
}

// --- variables --------------------------------------------------------------------------------

interface Scope {
  vars: Map<string, string | undefined>
  workdir: string
}
const scopeCache = new WeakMap<Dockerfile, Map<Instr, Scope>>()

/** ARG/ENV values and WORKDIR in effect before each instruction, computed once per file. */
function scopeBefore(df: Dockerfile, instr: Instr): Scope {
  let scopes = scopeCache.get(df)
  if (!scopes) {
    scopes = new Map()
    scopeCache.set(df, scopes)
  }
  const hit = scopes.get(instr)
  if (hit) return hit
  const global: Scope = { vars: new Map(df.globalArgs), workdir: '/' }
  if (!instr.stage) return global
  let scope = global
  for (const i of lineageInstructions(instr.stage)) {
    scopes.set(i, scope)
    if (i.keyword === 'ENV' || i.keyword === 'ARG') {
      const vars = new Map(scope.vars)
      // values are expanded where they are declared, as Docker does (`ENV VIRTUAL_ENV=${VENV_PATH}`),
      // with the variables in effect before the instruction
      const before = (n: string) => scope.vars.get(n)
      const value = (v: string) => expand(v, before) ?? v
      if (i.keyword === 'ENV') for (const p of envPairs(i)) vars.set(p.key, value(p.value))
      else
        for (const a of argDecls(i))
          if (a.value !== undefined || !vars.has(a.name))
            vars.set(a.name, a.value === undefined ? vars.get(a.name) : value(a.value))
      scope = { vars, workdir: scope.workdir }
    } else if (i.keyword === 'WORKDIR') {
      const raw = i.args.trim().replace(/^["']|["']$/g, '')
      const vars = scope.vars
      scope = { vars, workdir: resolvePath(expand(raw, (n) => vars.get(n)) ?? raw, scope.workdir) }
    }
  }
  return scopes.get(instr) ?? scope
}

/** Variables visible to an instruction: global ARGs, then ARG/ENV of its lineage before it. */
export function varsBefore(df: Dockerfile, instr: Instr): (name: string) => string | undefined {
  const vars = scopeBefore(df, instr).vars
  return (name) => vars.get(name)
}

/** WORKDIR in effect before an instruction (absolute, variables expanded where known). */
export function workdirBefore(df: Dockerfile, instr: Instr): string {
  return scopeBefore(df, instr).workdir
}

export function resolvePath(path: string, cwd: string): string {
  const joined = path.startsWith('/') ? path : `${cwd.replace(/\/+$/, '')}/${path}`
  const out: string[] = []
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return '/' + out.join('/')
}

// --- D7: packages installed in a lineage --------------------------------------------------------

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

/**
 * Memoizes a derived fact per parsed object: several rules ask the same question of one
 * Dockerfile, and each answer (even "none") is computed once.
 */
function memoized<K extends object, V>(
  compute: (key: K) => V | undefined
): (key: K) => V | undefined {
  const cache = new WeakMap<K, V | null>()
  return (key) => {
    let hit = cache.get(key)
    if (hit === undefined) {
      hit = compute(key) ?? null
      cache.set(key, hit)
    }
    return hit ?? undefined
  }
}

/** `pip install` arguments sorted into packages, requirement/constraint files, editables, index URLs. */
export const parsePipInstall: (cmd: SimpleCommand) => PipInstall | undefined = memoized(
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

const installsCache = new WeakMap<Instr[], WeakMap<object, Installs>>()
const NO_CONTEXT = {}

/** D7 over a list of instructions (usually a cached lineage); memoized per list and context. */
export function installsIn(instrs: Instr[], ctx: BuildContext | undefined): Installs {
  let byCtx = installsCache.get(instrs)
  if (!byCtx) {
    byCtx = new WeakMap()
    installsCache.set(instrs, byCtx)
  }
  const key = ctx ?? NO_CONTEXT
  const hit = byCtx.get(key)
  if (hit) return hit
  const computed = computeInstalls(instrs, ctx)
  byCtx.set(key, computed)
  return computed
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

// --- D6 and the effective command ---------------------------------------------------------------

const LAUNCHERS = [
  /\buvicorn\b/,
  /\bgunicorn\b/,
  /\bhypercorn\b/,
  /\bdaphne\b/,
  /\bwaitress-serve\b/,
  /\bflask\s+run\b/,
  /\bfastapi\s+run\b/,
  /\bstreamlit\s+run\b/,
  /\bmlflow\s+models\s+serve\b/,
  /\bbentoml\s+serve\b/,
  /\btorchserve\b/,
  /\btritonserver\b/,
  /-m\s+http\.server\b/,
  // model servers that listen without an EXPOSE in their Dockerfile
  /\btext-generation-launcher\b/, // TGI
  /\btext-embeddings-router\b/, // TEI
  /\bvllm\s+serve\b/,
  /\bvllm\.entrypoints\.(openai\.)?api_server\b/,
  /\bmlserver\s+start\b/,
  /-m\s+kserve\b|\bkserve\.model_server\b|-m\s+\w+server\b/, // KServe model servers (sklearnserver, ...)
  /\bollama\s+serve\b|\bollama\b.*\bserve\b/,
  /\bserve\s+run\b/, // Ray Serve
  /\bsglang\.launch_server\b/
]

export interface EffectiveCommand {
  /** the CMD or ENTRYPOINT to report on */
  instr: Instr
  /** all words as one script (for text searches) */
  script: string
  /** parsed commands, or undefined when the command is an opaque program (an entrypoint script) */
  commands: SimpleCommand[]
  /** the command runs through a shell (shell form, or exec form `sh -c`) */
  viaShell: boolean
}

const SHELL_NAMES = new Set(['sh', 'bash', 'ash', 'dash', 'zsh'])
const INIT_WRAPPERS = new Set(['tini', 'dumb-init', 'tini-static'])

function formCommands(instr: Instr): {
  script: string
  viaShell: boolean
  words: string[] | undefined
} {
  const f = execForm(instr)
  if (!f.exec) return { script: f.script, viaShell: true, words: undefined }
  let words = f.exec
  while (words.length > 0 && INIT_WRAPPERS.has(baseName(words[0]))) {
    words = words.slice(1)
    while (words[0]?.startsWith('-')) words = words.slice(1)
  }
  if (words.length >= 3 && SHELL_NAMES.has(baseName(words[0])) && /^-[a-z]*c$/.test(words[1])) {
    return { script: words.slice(2).join(' '), viaShell: true, words: undefined }
  }
  return { script: words.join(' '), viaShell: false, words }
}

/** The command the final image runs: ENTRYPOINT (+ CMD for exec forms) of the lineage. */
export const effectiveCommand: (stage: Stage) => EffectiveCommand | undefined = memoized(
  (stage: Stage) => computeEffectiveCommand(stage)
)

function computeEffectiveCommand(stage: Stage): EffectiveCommand | undefined {
  const instrs = lineageInstructions(stage)
  const entry = [...instrs].reverse().find((i) => i.keyword === 'ENTRYPOINT')
  const cmd = [...instrs].reverse().find((i) => i.keyword === 'CMD')
  const quote = (w: string): string =>
    /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`
  if (entry) {
    const e = formCommands(entry)
    if (e.viaShell)
      return {
        instr: entry,
        script: e.script,
        commands: parseShell(e.script).commands,
        viaShell: true
      }
    if (e.words && e.words.length === 0 && cmd) {
      const c = formCommands(cmd)
      return {
        instr: cmd,
        script: c.script,
        commands: parseShell(c.words ? c.words.map(quote).join(' ') : c.script).commands,
        viaShell: c.viaShell
      }
    }
    const words = [...(e.words ?? []), ...(cmd && execForm(cmd).exec ? execForm(cmd).exec! : [])]
    return {
      instr: entry,
      script: words.join(' '),
      commands: parseShell(words.map(quote).join(' ')).commands,
      viaShell: false
    }
  }
  if (!cmd) return undefined
  const c = formCommands(cmd)
  return {
    instr: cmd,
    script: c.script,
    commands: parseShell(c.words ? c.words.map(quote).join(' ') : c.script).commands,
    viaShell: c.viaShell
  }
}

export function isServiceImage(stage: Stage): boolean {
  if (lineageInstructions(stage).some((i) => i.keyword === 'EXPOSE')) return true
  const eff = effectiveCommand(stage)
  return eff !== undefined && LAUNCHERS.some((re) => re.test(eff.script))
}

/** The HEALTHCHECK in effect for a stage (the last one of its lineage). */
export function effectiveHealthcheck(stage: Stage): HealthInfo | undefined {
  const hc = [...lineageInstructions(stage)].reverse().find((i) => i.keyword === 'HEALTHCHECK')
  return hc ? healthInfo(hc) : undefined
}

// --- users ----------------------------------------------------------------------------------------

/** USER root, 0, root:*, 0:* (quotes removed). */
export function isRootUserSpec(user: string): boolean {
  return isRootUser(user.trim().replace(/^["']|["']$/g, ''))
}

/** The user a USER instruction sets, with ARG/ENV values substituted where they are known. */
export function userOf(df: Dockerfile, user: Instr): string {
  return expand(user.args, varsBefore(df, user)) ?? user.args
}

/** Bases whose image config already sets an unprivileged USER. */
const NONROOT_BASES = [
  /^(quay\.io\/)?jupyter\//, // docker-stacks: USER ${NB_UID} (1000)
  /^cgr\.dev\/chainguard\//, // nonroot (65532) unless a -dev variant
  /^(docker\.io\/)?bitnami\// // 1001
]

/** Whether a stage's lineage starts from `scratch` (nothing runs in it: an export or data stage). */
export function isScratch(stage: Stage): boolean {
  const chain = lineage(stage)
  return chain[chain.length - 1].resolvedImage === 'scratch'
}

/**
 * Effective user at the end of a lineage: the last USER (variables substituted: `ARG UID=0` +
 * `USER $UID` is root); without one, root unless the base image sets an unprivileged user.
 */
export function finalUserIsRoot(df: Dockerfile, stage: Stage): boolean {
  const users = lineageInstructions(stage).filter((i) => i.keyword === 'USER')
  const last = users[users.length - 1]
  return last ? isRootUserSpec(userOf(df, last)) : baseUserIsRoot(stage)
}

/** Whether the user a stage starts with (no USER of its own yet) is root. */
export function baseUserIsRoot(stage: Stage): boolean {
  if (isScratch(stage)) return false
  const base = rootImage(stage) ?? ''
  if (base.includes('nonroot')) return false
  return !(NONROOT_BASES.some((re) => re.test(base)) && !/:[^/]*-dev\b/.test(base))
}

// --- python code ----------------------------------------------------------------------------------

export const MODEL_LOADERS = [
  'snapshot_download(',
  'hf_hub_download(',
  '.from_pretrained(',
  'SentenceTransformer(',
  'pipeline('
]

export function callsAny(code: string, calls: string[]): boolean {
  return calls.some((c) =>
    c.startsWith('.')
      ? code.includes(c)
      : new RegExp(`(^|[^\\w.])${c.replace('(', '\\(')}|\\.${c.replace('(', '\\(')}`).test(code)
  )
}

/** Model downloads in a RUN or CMD command list (names of the tools found). */
export function modelDownloadTools(
  commands: SimpleCommand[]
): { cmd: SimpleCommand; tool: string }[] {
  const out: { cmd: SimpleCommand; tool: string }[] = []
  for (const cmd of commands) {
    const name = cmd.base
    const v = cmd.args.map((a) => a.value)
    if (name === 'spacy' && v[0] === 'download') out.push({ cmd, tool: 'spacy download' })
    else if (
      isPythonCommand(cmd.name) &&
      v.includes('-m') &&
      v[v.indexOf('-m') + 1] === 'spacy' &&
      v.includes('download')
    )
      out.push({ cmd, tool: 'spacy download' })
    else if ((name === 'huggingface-cli' || name === 'hf') && v[0] === 'download')
      out.push({ cmd, tool: `${name} download` })
    else if (
      isPythonCommand(cmd.name) &&
      v.includes('-m') &&
      /^nltk\.downloader$/.test(v[v.indexOf('-m') + 1] ?? '')
    )
      out.push({ cmd, tool: 'nltk.downloader' })
  }
  return out
}

export function usesFlag(cmd: SimpleCommand, ...flags: string[]): boolean {
  return cmd.args.some((a) => flags.some((f) => a.value === f || a.value.startsWith(f + '=')))
}
