import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConsoleLogger } from '../../src/log.js'

/** The Actions cache calls of the DB policy, against a mocked @actions/cache (the service is not reachable here). */
const real = await import('@actions/cache')
const restoreCache = jest.fn<typeof real.restoreCache>()
const saveCache = jest.fn<typeof real.saveCache>()
jest.unstable_mockModule('@actions/cache', () => ({
  ...real,
  isFeatureAvailable: () => true,
  restoreCache,
  saveCache
}))
const { restoreDbCache, saveDbCache, actionsCacheAvailable } =
  await import('../../src/scan/cache.js')

const lines: string[] = []
const log = new ConsoleLogger(
  (s) => lines.push(s),
  (s) => lines.push(s)
)
const now = new Date('2026-12-01T08:00:00Z')

beforeEach(() => {
  lines.length = 0
})

describe('Actions cache of the vulnerability DB', () => {
  it('restores db and java-db under daily keys, falling back to the newest older day', async () => {
    restoreCache.mockImplementation((_paths, key) =>
      Promise.resolve(key.includes('java') ? undefined : 'ml-docker-trivy-db-2-2026-11-30')
    )
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-cache-'))
    expect(actionsCacheAvailable()).toBe(true)
    const states = await restoreDbCache(dir, now, log)
    expect(restoreCache.mock.calls).toEqual([
      [[path.join(dir, 'db')], 'ml-docker-trivy-db-2-2026-12-01', ['ml-docker-trivy-db-2-']],
      [
        [path.join(dir, 'java-db')],
        'ml-docker-trivy-java-db-1-2026-12-01',
        ['ml-docker-trivy-java-db-1-']
      ]
    ])
    expect(states.map((s) => s.restoredKey)).toEqual(['ml-docker-trivy-db-2-2026-11-30', undefined])
    expect(lines.join('\n')).toMatch(
      /restored the db from the Actions cache \(ml-docker-trivy-db-2-2026-11-30\)/
    )
  })

  it("saves only what exists under today's key, and not the key it restored", async () => {
    saveCache.mockResolvedValue(42)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-cache-'))
    mkdirSync(path.join(dir, 'db'))
    writeFileSync(path.join(dir, 'db', 'trivy.db'), 'x')
    const saved = await saveDbCache(
      [
        { kind: 'db', dir: path.join(dir, 'db'), key: 'k-db-today', restoredKey: 'k-db-yesterday' },
        { kind: 'java-db', dir: path.join(dir, 'java-db'), key: 'k-java-today' }
      ],
      log
    )
    expect(saved).toEqual(['k-db-today'])
    expect(saveCache.mock.calls).toEqual([[[path.join(dir, 'db')], 'k-db-today']])
    saveCache.mockClear()
    await saveDbCache([{ kind: 'db', dir: path.join(dir, 'db'), key: 'k', restoredKey: 'k' }], log)
    expect(saveCache).not.toHaveBeenCalled()
  })

  it('never fails the scan over the cache service: restore and save errors are warnings', async () => {
    restoreCache.mockRejectedValue(new Error('cache service unreachable'))
    saveCache.mockRejectedValue(
      new Error('Unable to reserve cache with key k, another job may be creating this cache.')
    )
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-cache-'))
    mkdirSync(path.join(dir, 'db'))
    const states = await restoreDbCache(dir, now, log)
    expect(states.every((s) => s.restoredKey === undefined)).toBe(true)
    expect(await saveDbCache(states, log)).toEqual([])
    const out = lines.join('\n')
    expect(out).toMatch(
      /warning: Actions cache: restoring the db failed: cache service unreachable/
    )
    expect(out).toMatch(/warning: Actions cache: saving the db failed: Unable to reserve cache/)
  })
})
