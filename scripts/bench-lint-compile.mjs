// Transpiles src/lint (and src/errors.ts, src/reference.ts) to plain ESM in a temporary directory so the
// benchmark and comparison scripts run the linter in-process without a build step.
import ts from 'typescript'
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  symlinkSync,
  existsSync
} from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { tmpdir } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** Returns the imported module of src/lint/index.ts. */
export async function loadLinter() {
  const out = join(tmpdir(), `ml-docker-lint-${process.pid}`)
  const src = join(repoRoot, 'src')
  for (const file of [
    ...walk(join(src, 'lint')),
    join(src, 'errors.ts'),
    join(src, 'reference.ts')
  ]) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: false
      },
      fileName: file
    })
    const dest = join(out, relative(src, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(dest), { recursive: true })
    writeFileSync(dest, outputText)
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}')
  if (!existsSync(join(out, 'node_modules')))
    symlinkSync(join(repoRoot, 'node_modules'), join(out, 'node_modules'), 'dir')
  return import(pathToFileURL(join(out, 'lint', 'index.js')).href)
}

/** The real hadolint: $HADOLINT, the test bed venv, or .ci/lint-tools.sh installs it. */
export async function findHadolint({ install = true } = {}) {
  const { execFileSync } = await import('node:child_process')
  const { homedir } = await import('node:os')
  if (process.env.HADOLINT && existsSync(process.env.HADOLINT)) return process.env.HADOLINT
  const home = process.env.ML_DOCKER_TESTBED_HOME ?? join(homedir(), '.cache', 'ml-docker-testbed')
  const bin = join(home, 'hadolint', 'venv', 'bin', 'hadolint')
  if (existsSync(bin)) return bin
  if (!install) return undefined
  const printed = execFileSync('bash', [join(repoRoot, '.ci', 'lint-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return printed.trim().split('\n').pop()
}

export function corpus() {
  const dir = join(repoRoot, 'bench', 'corpus')
  return readdirSync(dir)
    .filter((n) => n.endsWith('.Dockerfile'))
    .sort()
    .map((n) => ({ name: n, path: join(dir, n), source: readFileSync(join(dir, n), 'utf8') }))
}
