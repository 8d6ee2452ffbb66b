// The content hash of everything the bundles in dist/ are built from: src/, the lockfile, the
// TypeScript config and the build command. `npm run build` records it in dist/.source-hash, and
// the integration tests rebuild dist/ when the recorded hash differs (file times are useless for
// this: a `git clone` sets them in arbitrary order).
//
//   node scripts/source-hash.mjs           prints the hash of the current sources
//   node scripts/source-hash.mjs --write   records it in dist/.source-hash (end of `npm run build`)
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const STAMP = 'dist/.source-hash'

function files(dir) {
  const out = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...files(p))
    else if (e.isFile()) out.push(p)
  }
  return out
}

/** sha256 over the relative path and content of every build input, in a fixed order. */
export function sourceHash(root = ROOT) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  const inputs = [
    ...files(path.join(root, 'src')),
    path.join(root, 'package-lock.json'),
    path.join(root, 'tsconfig.json')
  ]
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort()
  const h = createHash('sha256')
  h.update(`build: ${pkg.scripts?.build ?? ''}\n`)
  for (const rel of inputs) {
    h.update(`${rel}\0`)
    h.update(readFileSync(path.join(root, rel)))
    h.update('\0')
  }
  return h.digest('hex')
}

/** The hash recorded by the last build, or '' when there is none. */
export function builtHash(root = ROOT) {
  const file = path.join(root, STAMP)
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const hash = sourceHash()
  if (process.argv.includes('--write')) writeFileSync(path.join(ROOT, STAMP), `${hash}\n`)
  process.stdout.write(`${hash}\n`)
}
