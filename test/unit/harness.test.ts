/**
 * The test harness itself: the closing summary line, the loud skip of integration suites, the
 * CI rule that nothing is skipped, and the content-hash gate that rebuilds dist/.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { builtHash, sourceHash, STAMP } from '../../scripts/source-hash.mjs'
import { ensureBuilt } from '../integration/global-setup.js'
import { isCI, skipLine } from '../loud-skip.js'
import { repoRoot } from './lint/helpers.js'

const JEST = path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js')
const REPORTER = path.join(repoRoot, 'test', 'summary-reporter.cjs')

interface Reporter {
  line(results: Record<string, unknown>): string
}
const SummaryReporter = createRequire(import.meta.url)(REPORTER) as Reporter

/** A child jest run with a clean CI/testbed environment plus `env`. */
function jest(
  args: string[],
  env: Record<string, string>
): { code: number; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }
  const res = spawnSync(process.execPath, ['--experimental-vm-modules', JEST, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...base, NODE_NO_WARNINGS: '1', ...env },
    timeout: 120_000
  })
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr }
}

function summaryLines(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('jest: '))
}

describe('summary reporter', () => {
  it('counts suites that fail to load or whose hooks throw as failures, on a real jest run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-reporter-'))
    try {
      const suites: Record<string, string> = {
        'pass.test.cjs': "test('a', () => {}); test.skip('b', () => {}); test.todo('c')",
        'fail.test.cjs': "test('a', () => { expect(1).toBe(2) })",
        'load.test.cjs':
          "require('fs').readFileSync('/nonexistent/fixture.json'); test('a', () => {})",
        'hook.test.cjs': "afterAll(() => { throw new Error('x') }); test('a', () => {})",
        'empty.test.cjs': '// no test at all'
      }
      for (const [f, src] of Object.entries(suites)) writeFileSync(path.join(dir, f), src)
      const config = {
        rootDir: dir,
        testMatch: ['**/*.test.cjs'],
        reporters: [REPORTER],
        transform: {}
      }
      writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config))
      const res = jest(['--config', path.join(dir, 'jest.config.json')], {})
      expect(res.code).toBe(1)
      // 2 passed: pass.a and hook.a; failed: fail.a + 3 suites that never ran cleanly.
      expect(summaryLines(res.stdout)).toEqual(['jest: 2 passed, 4 failed, 2 skipped'])
      expect(res.stdout).toMatch(/^jest: 2 passed, 4 failed, 2 skipped$/m)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('falls back to numRuntimeErrorTestSuites when per-suite results are absent', () => {
    expect(
      SummaryReporter.line({
        numPassedTests: 5,
        numFailedTests: 1,
        numRuntimeErrorTestSuites: 2,
        numPendingTests: 3,
        numTodoTests: 1
      })
    ).toBe('jest: 5 passed, 3 failed, 4 skipped')
  })
})

describe('integration suites without a test bed', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-nobed-'))
  const suite = 'test/integration/cli.test.ts'

  it('are skipped outside CI with one SKIPPED line each, never silently', () => {
    const res = jest([suite], { ML_DOCKER_TESTBED_HOME: home })
    expect(res.code).toBe(0)
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('SKIPPED '))
    expect(lines).toEqual([
      skipLine(
        'integration suite',
        'bundled CLI',
        `${path.join(home, 'env.json')} is missing`,
        'bash .ci/testbed.sh'
      )
    ])
    expect(summaryLines(res.stdout)).toEqual(['jest: 0 passed, 0 failed, 1 skipped'])
  }, 60_000)

  it('fail in CI', () => {
    const res = jest([suite], { ML_DOCKER_TESTBED_HOME: home, CI: 'true' })
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('integration test bed unavailable in CI')
    expect(res.stderr).not.toContain('SKIPPED ')
    expect(summaryLines(res.stdout)).toEqual(['jest: 0 passed, 1 failed, 0 skipped'])
  }, 60_000)

  it('knows CI from the usual CI values only', () => {
    expect(isCI({ CI: 'true' })).toBe(true)
    expect(isCI({ CI: '1' })).toBe(true)
    expect(isCI({ CI: 'false' })).toBe(false)
    expect(isCI({})).toBe(false)
  })
})

describe('dist/ freshness by content hash', () => {
  /** A miniature project: what sourceHash reads. */
  function project(): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-hash-'))
    mkdirSync(path.join(root, 'src', 'sub'), { recursive: true })
    mkdirSync(path.join(root, 'dist'))
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ scripts: { build: 'b' } }))
    writeFileSync(path.join(root, 'package-lock.json'), '{}')
    writeFileSync(path.join(root, 'tsconfig.json'), '{}')
    writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1\n')
    writeFileSync(path.join(root, 'src', 'sub', 'b.ts'), 'export const b = 2\n')
    return root
  }
  const stamp = (root: string): { ok: boolean; output: string } => {
    writeFileSync(path.join(root, STAMP), `${sourceHash(root)}\n`)
    return { ok: true, output: '' }
  }

  it('ignores file times and follows content, lockfile and build command', () => {
    const root = project()
    const h = sourceHash(root)
    utimesSync(path.join(root, 'src', 'a.ts'), new Date(2000, 1, 1), new Date(2030, 1, 1))
    expect(sourceHash(root)).toBe(h)
    writeFileSync(path.join(root, 'src', 'sub', 'b.ts'), 'export const b = 3\n')
    const h2 = sourceHash(root)
    expect(h2).not.toBe(h)
    writeFileSync(path.join(root, 'package-lock.json'), '{"x":1}')
    const h3 = sourceHash(root)
    expect(h3).not.toBe(h2)
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ scripts: { build: 'c' } }))
    expect(sourceHash(root)).not.toBe(h3)
    rmSync(root, { recursive: true, force: true })
  })

  it('builds when the stamp is missing or stale, and not when it matches', () => {
    const root = project()
    const calls: string[] = []
    const build = (r: string): { ok: boolean; output: string } => {
      calls.push(r)
      return stamp(r)
    }
    const quiet = (): void => undefined
    expect(builtHash(root)).toBe('')
    expect(ensureBuilt(root, build, quiet)).toEqual(expect.any(Number))
    expect(calls).toHaveLength(1)
    expect(ensureBuilt(root, build, quiet)).toBeUndefined()
    expect(calls).toHaveLength(1)
    writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 2\n')
    ensureBuilt(root, build, quiet)
    expect(calls).toHaveLength(2)
    expect(readFileSync(path.join(root, STAMP), 'utf8').trim()).toBe(sourceHash(root))
    rmSync(root, { recursive: true, force: true })
  })

  it('fails loudly when the build fails or leaves another hash behind', () => {
    const root = project()
    const quiet = (): void => undefined
    expect(() =>
      ensureBuilt(root, () => ({ ok: false, output: 'error TS2322: nope' }), quiet)
    ).toThrow(/did not build dist\/[\s\S]*TS2322/)
    expect(() =>
      ensureBuilt(
        root,
        (r) => {
          writeFileSync(path.join(r, STAMP), 'something else\n')
          return { ok: true, output: '' }
        },
        quiet
      )
    ).toThrow(/did not build dist\//)
    rmSync(root, { recursive: true, force: true })
  })

  it('the build script records the hash', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.build).toMatch(/&& node scripts\/source-hash\.mjs --write$/)
  })
})
