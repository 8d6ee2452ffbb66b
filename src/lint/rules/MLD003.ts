import type { ContextFile } from '../context.js'
import { isWholeContextCopy, shippedBy, describeFiles } from '../facts/context.js'
import { varsBefore } from '../facts/scopes.js'
import type { Hit, Rule } from '../rule.js'

const VENV_NAMES = new Set(['venv', '.venv', 'env', '.myenv'])
const CACHE_DIRS = new Set([
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ipynb_checkpoints',
  'htmlcov'
])

/** The kind of development artifact a path is, if any. */
export function devArtifactKind(path: string, venvDirs: Set<string>): string | undefined {
  const parts = path.split('/')
  const dirs = parts.slice(0, -1)
  const file = parts[parts.length - 1]
  if (dirs[0] === '.git') return '.git'
  for (let n = 1; n <= dirs.length; n++) {
    if (venvDirs.has(dirs.slice(0, n).join('/')) || VENV_NAMES.has(dirs[n - 1])) return 'virtualenv'
  }
  const cache = dirs.find((d) => CACHE_DIRS.has(d))
  if (cache) return `${cache}/`
  if (file.endsWith('.pyc')) return '*.pyc'
  if (file === '.coverage') return '.coverage'
  if (file.endsWith('.log') || dirs.includes('logs')) return 'logs'
  return undefined
}

export function venvDirsOf(files: ContextFile[]): Set<string> {
  return new Set(
    files
      .filter((f) => f.path.endsWith('/pyvenv.cfg') || f.path === 'pyvenv.cfg')
      .map((f) => f.path.slice(0, -'/pyvenv.cfg'.length))
  )
}

export const MLD003: Rule = {
  code: 'MLD003',
  severity: 'warning',
  message: 'The whole-context copy ships development artifacts',
  name: 'dev-artifacts-in-build-context',
  check: ({ df, context }) => {
    if (!context) return []
    const venvDirs = venvDirsOf(context.files)
    const out: Hit[] = []
    for (const i of df.instructions.filter(isWholeContextCopy)) {
      const kinds = new Map<string, string>()
      for (const f of shippedBy(i, context, varsBefore(df, i))) {
        const kind = devArtifactKind(f.path, venvDirs)
        if (kind && !kinds.has(kind)) kinds.set(kind, f.path)
      }
      if (kinds.size === 0) continue
      out.push({
        line: i.line,
        message: `The whole-context copy ships development artifacts (${[...kinds.keys()].join(', ')}), e.g. ${describeFiles([...kinds.values()])}. Exclude them in .dockerignore; remember that \`__pycache__\` or \`*.pyc\` only match at the context root, use \`**/__pycache__\` and \`**/*.pyc\``
      })
    }
    return out
  }
}
