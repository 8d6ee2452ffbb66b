import { beforeEach, describe, expect, it } from '@jest/globals'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConsoleLogger } from '../../src/log.js'
import {
  LAYER_CACHE_FILE,
  LAYER_LIST_FILE,
  layerCacheKeys,
  openLayerCache
} from '../../src/scan/layer-cache.js'

const log = new ConsoleLogger()
let cacheDir: string
let work: string

beforeEach(() => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'layer-cache-'))
  cacheDir = path.join(root, 'trivy')
  work = path.join(root, 'work')
  mkdirSync(path.join(cacheDir, 'db'), { recursive: true })
  mkdirSync(work)
})

/** What Trivy does to its cache file during an analysis (it rewrites it on every scan). */
function analyse(dir: string, content: string): void {
  writeFileSync(path.join(dir, LAYER_CACHE_FILE), content)
}

const shared = (): string => readFileSync(path.join(cacheDir, LAYER_CACHE_FILE), 'utf8')

describe('Trivy layer analysis cache between runs', () => {
  it('starts empty, links the DB in, and publishes what the scan analysed', async () => {
    const c = await openLayerCache(cacheDir, work, log)
    expect(c.carriedBytes).toBe(0)
    expect(lstatSync(path.join(c.dir, 'db')).isSymbolicLink()).toBe(true)
    analyse(c.dir, 'layers-1')
    expect(await c.commit(['0.74.0:sha256:a'])).toBe(8)
    await c.close()
    expect(existsSync(c.dir)).toBe(false)
    expect(shared()).toBe('layers-1')
    expect(JSON.parse(readFileSync(path.join(cacheDir, LAYER_LIST_FILE), 'utf8'))).toEqual([
      '0.74.0:sha256:a'
    ])
  })

  it('carries the cache into the next scan, and keeps it when that scan analysed nothing new', async () => {
    const first = await openLayerCache(cacheDir, work, log)
    analyse(first.dir, 'layers-1')
    await first.commit(['0.74.0:sha256:a'])
    await first.close()
    const second = await openLayerCache(cacheDir, work, log)
    expect(second.carriedBytes).toBe(8)
    expect(readFileSync(path.join(second.dir, LAYER_CACHE_FILE), 'utf8')).toBe('layers-1')
    analyse(second.dir, 'layers-1, rewritten')
    expect(await second.commit(['0.74.0:sha256:a'])).toBe(0)
    await second.close()
    expect(shared()).toBe('layers-1')
  })

  it('publishes again when a layer (or Trivy version) is new', async () => {
    const first = await openLayerCache(cacheDir, work, log)
    analyse(first.dir, 'a')
    await first.commit(['0.74.0:sha256:a'])
    await first.close()
    const second = await openLayerCache(cacheDir, work, log)
    analyse(second.dir, 'a+b')
    expect(await second.commit(['0.74.0:sha256:a', '0.74.0:sha256:b'])).toBe(3)
    await second.close()
    const third = await openLayerCache(cacheDir, work, log)
    analyse(third.dir, 'a+b+a2')
    expect(await third.commit(['0.75.0:sha256:a'])).toBe(6)
    await third.close()
    expect(JSON.parse(readFileSync(path.join(cacheDir, LAYER_LIST_FILE), 'utf8'))).toEqual([
      '0.74.0:sha256:a',
      '0.74.0:sha256:b',
      '0.75.0:sha256:a'
    ])
  })

  it('lets scans run at the same time: each works on its own copy, the last commit wins', async () => {
    const a = await openLayerCache(cacheDir, work, log)
    const b = await openLayerCache(cacheDir, work, log)
    expect(a.dir).not.toBe(b.dir)
    analyse(a.dir, 'from-a')
    analyse(b.dir, 'from-b-longer')
    await Promise.all([a.commit(['x:1']), b.commit(['x:2'])])
    await Promise.all([a.close(), b.close()])
    expect(['from-a', 'from-b-longer']).toContain(shared())
    // No temporary files are left beside the cache.
    expect(readdirSync(path.join(cacheDir, 'fanal')).sort()).toEqual([
      'fanal.db',
      'ml-docker-layers.json'
    ])
  })

  it('drops a cache grown past the limit instead of copying it into every scan', async () => {
    const first = await openLayerCache(cacheDir, work, log)
    analyse(first.dir, 'x'.repeat(100))
    await first.commit(['x:1'])
    await first.close()
    const next = await openLayerCache(cacheDir, work, log, 50)
    expect(next.carriedBytes).toBe(0)
    expect(existsSync(path.join(next.dir, LAYER_CACHE_FILE))).toBe(false)
    await next.close()
  })

  it('moves a Java DB that Trivy downloaded during the scan into the shared cache', async () => {
    const c = await openLayerCache(cacheDir, work, log)
    expect(existsSync(path.join(c.dir, 'java-db'))).toBe(false)
    mkdirSync(path.join(c.dir, 'java-db'))
    writeFileSync(path.join(c.dir, 'java-db', 'trivy-java.db'), 'java')
    await c.close()
    expect(readFileSync(path.join(cacheDir, 'java-db', 'trivy-java.db'), 'utf8')).toBe('java')
  })

  it('keys the Actions cache per run and restores the newest of the platform', () => {
    const k = layerCacheKeys({ GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2' }, 'linux-x64')
    expect(k.key).toBe('ml-docker-trivy-layers-v1-linux-x64-42-2')
    expect(k.restoreKeys).toEqual(['ml-docker-trivy-layers-v1-linux-x64-'])
    expect(k.key.startsWith(k.restoreKeys[0])).toBe(true)
  })
})
