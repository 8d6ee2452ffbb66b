/**
 * Side by side with the real hadolint 2.15.1 (installed by .ci/lint-tools.sh): the DL findings
 * on the benchmark corpus (and SC findings, when ShellCheck is there) must be identical except
 * for the explained differences listed in scripts/compare-hadolint.mjs. In CI (CI=true) a missing binary fails the test.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { announceSkip, isCI } from '../../loud-skip.js'
import { repoRoot } from './helpers.js'

const home = process.env.ML_DOCKER_TESTBED_HOME ?? join(homedir(), '.cache', 'ml-docker-testbed')
const binary = process.env.HADOLINT ?? join(home, 'hadolint', 'venv', 'bin', 'hadolint')
const available = existsSync(binary)
const runIt = available || isCI() ? it : it.skip
const NAME = 'agrees with our DL findings on the corpus, differences explained'
if (!available && !isCI())
  announceSkip('test', `real hadolint ${NAME}`, `${binary} is missing`, 'bash .ci/lint-tools.sh')

describe('real hadolint', () => {
  runIt(
    NAME,
    () => {
      if (!available) throw new Error(`hadolint not found at ${binary}: run .ci/lint-tools.sh`)
      const out = execFileSync(
        'node',
        [join(repoRoot, 'scripts', 'compare-hadolint.mjs'), '--json'],
        {
          encoding: 'utf8',
          env: { ...process.env, HADOLINT: binary }
        }
      )
      const summary = JSON.parse(out.trim().split('\n').pop()!) as {
        files: number
        identical: number
        agreement: number
        unexplained: number
      }
      expect(summary.files).toBeGreaterThanOrEqual(50)
      expect(summary.identical).toBeGreaterThan(100)
      expect(summary.agreement).toBeGreaterThanOrEqual(98)
      expect(summary.unexplained).toBe(0)
    },
    120_000
  )
})
