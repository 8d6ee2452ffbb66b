import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'lint')

/** Facts about hadolint 2.15.1's verdicts, one per assertion of its spec suite (data, no code). */
export function casesFile(): string {
  return join(fixturesDir, 'hadolint-spec-cases.json')
}
