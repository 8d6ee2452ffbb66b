/**
 * Integration suites run the bundles in dist/. Before any of them starts, dist/ must have been
 * built from the sources as they are now (by content hash, see scripts/source-hash.mjs); if it
 * was not, it is rebuilt here, so a suite never tests stale code and is never skipped for it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtHash, sourceHash, STAMP } from '../../scripts/source-hash.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface BuildOutcome {
  ok: boolean
  output: string
}

function npmBuild(root: string): BuildOutcome {
  const res = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' })
  return { ok: res.status === 0, output: `${res.stdout ?? ''}${res.stderr ?? ''}` }
}

/**
 * Rebuilds when the recorded hash differs from the sources'. Returns the seconds the build took,
 * or undefined when dist/ was already current. Throws when the build fails or records another hash.
 */
export function ensureBuilt(
  root: string,
  build: (root: string) => BuildOutcome = npmBuild,
  say: (line: string) => void = (l) => process.stderr.write(`${l}\n`)
): number | undefined {
  const want = sourceHash(root)
  if (builtHash(root) === want) return undefined
  say(`\ndist/ was not built from the current sources (${STAMP}): running "npm run build" first...`)
  const started = Date.now()
  const res = build(root)
  if (!res.ok || builtHash(root) !== want) {
    const tail = res.output.trim().split('\n').slice(-20).join('\n')
    throw new Error(`"npm run build" did not build dist/ from the current sources:\n${tail}`)
  }
  const seconds = (Date.now() - started) / 1000
  say(`dist/ rebuilt in ${seconds.toFixed(1)}s`)
  return seconds
}

export default function globalSetup(): void {
  const home =
    process.env.ML_DOCKER_TESTBED_HOME || path.join(os.homedir(), '.cache', 'ml-docker-testbed')
  // Without a test bed no suite runs the bundles (each one is skipped, or fails in CI).
  if (!existsSync(path.join(home, 'env.json'))) return
  if (spawnSync('docker', ['info', '--format', '{{.ServerVersion}}']).status !== 0) return
  ensureBuilt(ROOT)
}
