/** Build context facts: whether it is the Dockerfile's, ML artifacts, what each COPY ships. */
import type { BuildContext, ContextFile } from '../context.js'
import { normalize } from '../context.js'
import { copyInfo, expand, type Dockerfile, type Instr } from '../model.js'

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

export function describeFiles(paths: string[], limit = 3): string {
  const shown = paths.slice(0, limit).join(', ')
  return paths.length > limit ? `${shown} and ${paths.length - limit} more` : shown
}

export function mib(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`
}
