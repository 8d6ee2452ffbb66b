import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import { dbCacheKeys } from '../../src/scan/db.js'
import { scan, type ScanResult } from '../../src/scan/index.js'
import { describeTestbed, type Testbed } from './testbed.js'

/**
 * The action's DB cache through @actions/cache against a loopback stand-in for the Actions cache
 * service (protocol v1: look up, reserve, upload chunks, commit, download): a runner with an
 * empty disk restores the DB saved by an earlier job and downloads nothing.
 */

interface Entry {
  id: number
  key: string
  version: string
  chunks: Buffer[]
  done: boolean
  created: number
}

function fakeCacheService(): Promise<{
  url: string
  entries: Entry[]
  calls: string[]
  close: () => Promise<void>
}> {
  const entries: Entry[] = []
  const calls: string[] = []
  const json = (res: http.ServerResponse, status: number, body?: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' })
    res.end(body === undefined ? '' : JSON.stringify(body))
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const base = `http://${req.headers.host}`
      calls.push(`${req.method} ${url.pathname}`)
      const m = /^\/_apis\/artifactcache\/(cache|caches)(?:\/(\d+))?$/.exec(url.pathname)
      if (req.method === 'GET' && url.pathname.startsWith('/archive/')) {
        const e = entries.find((x) => x.id === Number(url.pathname.split('/')[2]))
        if (!e) return json(res, 404)
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
        return res.end(Buffer.concat(e.chunks))
      }
      if (!m) return json(res, 404)
      if (req.method === 'GET' && m[1] === 'cache') {
        // Exact key first, then each key as a prefix, newest entry first (the service's rule).
        const version = url.searchParams.get('version')
        const keys = (url.searchParams.get('keys') ?? '').split(',')
        const ready = entries.filter((e) => e.done && e.version === version).reverse()
        const hit =
          ready.find((e) => e.key === keys[0]) ??
          keys.map((k) => ready.find((e) => e.key.startsWith(k))).find(Boolean)
        if (!hit) return json(res, 204)
        return json(res, 200, { cacheKey: hit.key, archiveLocation: `${base}/archive/${hit.id}` })
      }
      if (req.method === 'POST' && m[1] === 'caches' && !m[2]) {
        const { key, version } = JSON.parse(body.toString()) as { key: string; version: string }
        if (entries.some((e) => e.key === key && e.version === version))
          return json(res, 409, { message: 'already exists' })
        const e: Entry = {
          id: entries.length + 1,
          key,
          version,
          chunks: [],
          done: false,
          created: Date.now()
        }
        entries.push(e)
        return json(res, 201, { cacheId: e.id })
      }
      const e = entries.find((x) => x.id === Number(m[2]))
      if (!e) return json(res, 404)
      if (req.method === 'PATCH') {
        e.chunks.push(body)
        return json(res, 204)
      }
      if (req.method === 'POST') {
        e.done = true
        return json(res, 204)
      }
      return json(res, 405)
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        entries,
        calls,
        close: () => new Promise<void>((r) => server.close(() => r()))
      })
    )
  )
}

describeTestbed('the action keeps the vulnerability DB in the Actions cache', (bed: Testbed) => {
  const sb = bed.extra.scan as { dbRepositoryClean: string } | undefined
  const saved: Record<string, string | undefined> = {}
  const vars = [
    'ACTIONS_CACHE_URL',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_CACHE_SERVICE_V2',
    'GITHUB_WORKSPACE',
    'RUNNER_TEMP'
  ]
  let service: Awaited<ReturnType<typeof fakeCacheService>>
  // The same path on every "runner", as ~/.cache/ml-docker/trivy is: the cache version includes it.
  const cacheDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'scan-ac-')), 'trivy')
  const repoRequests: string[] = []
  let repo: http.Server
  let first: ScanResult
  let second: ScanResult

  beforeAll(async () => {
    if (!sb) throw new Error('bed.extra.scan is missing: run .ci/testbed.d/scan.sh')
    for (const v of vars) saved[v] = process.env[v]
    service = await fakeCacheService()
    process.env.ACTIONS_CACHE_URL = service.url
    process.env.ACTIONS_RUNTIME_TOKEN = 'test-runtime-token'
    process.env.GITHUB_WORKSPACE = os.tmpdir()
    // Where @actions/cache writes its archives (it defaults to a fixed path outside the test).
    process.env.RUNNER_TEMP = mkdtempSync(path.join(os.tmpdir(), 'scan-ac-runner-'))
    delete process.env.ACTIONS_CACHE_SERVICE_V2
    // A counting proxy in front of the DB repository.
    const [host, port] = bed.baseRegistry.split(':')
    repo = http.createServer((req, res) => {
      repoRequests.push(`${req.method} ${req.url}`)
      const up = http.request(
        { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers)
          r.pipe(res)
        }
      )
      req.pipe(up)
    })
    await new Promise<void>((r) => repo.listen(0, '127.0.0.1', r))
    const repoRef = `127.0.0.1:${(repo.address() as AddressInfo).port}${sb.dbRepositoryClean.slice(sb.dbRepositoryClean.indexOf('/'))}`
    const cfg = parseConfig(
      (n) => ({ 'trivy-cache-dir': cacheDir, 'trivy-db-repository': repoRef })[n],
      { cwd: os.tmpdir() }
    ).scan
    const log = new ConsoleLogger(
      () => undefined,
      () => undefined
    )
    first = await scan(
      cfg,
      { image: bed.busyboxImage },
      { log, outDir: mkdtempSync(path.join(os.tmpdir(), 'scan-ac-out-')) }
    )
    // The next job runs on a fresh machine: nothing on disk.
    rmSync(cacheDir, { recursive: true, force: true })
    repoRequests.length = 0
    second = await scan(
      cfg,
      { image: bed.busyboxImage },
      { log, outDir: mkdtempSync(path.join(os.tmpdir(), 'scan-ac-out-')) }
    )
  }, 600_000)

  afterAll(async () => {
    for (const v of vars) {
      if (saved[v] === undefined) delete process.env[v]
      else process.env[v] = saved[v]
    }
    await service?.close()
    await new Promise<void>((r) => (repo ? repo.close(() => r()) : r()))
  })

  it("the first job downloads the DB and saves it under today's key", () => {
    const { key } = dbCacheKeys('db', new Date())
    expect(first.db.source).toBe('downloaded')
    expect(first.cacheSaved).toEqual([key])
    // The DB under today's key, and Trivy's layer analyses under this run's own key.
    const saved = service.entries.filter((e) => e.done).map((e) => e.key)
    expect(saved).toHaveLength(2)
    expect(saved[0]).toBe(key)
    expect(saved[1]).toMatch(/^ml-docker-trivy-layers-v1-/)
    expect(first.layerCache?.savedBytes).toBeGreaterThan(0)
    expect(service.calls).toEqual(
      expect.arrayContaining([
        'POST /_apis/artifactcache/caches',
        'PATCH /_apis/artifactcache/caches/1',
        'POST /_apis/artifactcache/caches/1'
      ])
    )
  })

  it('the next job restores both, downloads nothing and saves nothing again', () => {
    const { key } = dbCacheKeys('db', new Date())
    expect(second.db.source).toBe('cached')
    expect(second.db.restoredKey).toBe(key)
    expect(second.db.repository).toBe(first.db.repository)
    expect(repoRequests).toEqual([])
    expect(second.cacheSaved).toEqual([])
    // The same image: its layers' analyses came from the first job, nothing new to save.
    expect(second.layerCache?.carriedBytes).toBeGreaterThan(0)
    expect(second.layerCache?.savedBytes).toBe(0)
    expect(service.entries).toHaveLength(2)
  })
})
