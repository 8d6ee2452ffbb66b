import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** hadolint's spec cases, kept in the repository (test/fixtures/conformance/README.md). */
export function casesFile(): string {
  return join(repoRoot, 'test', 'fixtures', 'conformance', 'hadolint-spec-cases.json')
}

export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'lint')
