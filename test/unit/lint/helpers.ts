import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** shared/ sits beside the repository (in CI: a fresh clone with shared/ next to it). */
export function sharedDir(): string {
  for (const candidate of [join(repoRoot, '..', 'shared'), join(repoRoot, 'shared')]) {
    if (existsSync(candidate)) return candidate
  }
  throw new Error(`shared/ not found next to ${repoRoot}`)
}

export function casesFile(): string {
  return join(sharedDir(), 'conformance', 'hadolint-spec-cases.json')
}

export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'lint')
