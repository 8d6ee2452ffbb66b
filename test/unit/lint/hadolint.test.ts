/**
 * Side by side with the real hadolint 2.15.1 (installed by .ci/lint-tools.sh): the DL findings
 * on the benchmark corpus (and SC findings, when ShellCheck is there) must be identical except
 * for the explained differences listed in scripts/compare-hadolint.mjs. In CI (CI=true) a missing binary fails the test.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
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

  runIt(
    'compares any directory of Dockerfiles, per rule',
    () => {
      if (!available) throw new Error(`hadolint not found at ${binary}: run .ci/lint-tools.sh`)
      const dir = mkdtempSync(join(tmpdir(), 'compare-dir-'))
      try {
        mkdirSync(join(dir, 'svc'))
        writeFileSync(join(dir, 'Dockerfile.cpu'), 'FROM debian\nRUN apt-get install -y curl\n')
        writeFileSync(join(dir, 'svc', 'app.dockerfile'), 'FROM node:20\nRUN npm install express\n')
        writeFileSync(join(dir, 'svc', 'notes.md'), 'not a Dockerfile')
        const out = execFileSync(
          'node',
          [join(repoRoot, 'scripts', 'compare-hadolint.mjs'), dir, '--json'],
          { encoding: 'utf8', env: { ...process.env, HADOLINT: binary } }
        )
        const summary = JSON.parse(out.trim().split('\n').pop()!) as {
          files: number
          perRule: Record<string, { identical: number; oursOnly: number; hadolintOnly: number }>
          agreement: number
        }
        expect(summary.files).toBe(2)
        expect(Object.keys(summary.perRule)).toEqual(
          expect.arrayContaining(['DL3006', 'DL3008', 'DL3015', 'DL3016'])
        )
        expect(summary.perRule['DL3016']).toEqual({ identical: 1, oursOnly: 0, hadolintOnly: 0 })
        expect(summary.agreement).toBe(100)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    120_000
  )
})
