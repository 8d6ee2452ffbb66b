import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseConfig, type Config } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import { scan, type ScanResult } from '../../src/scan/index.js'
import { describeTestbed, type Testbed } from './testbed.js'

/**
 * The real DB download path: the test bed publishes its fixture DBs as OCI artifacts
 * (.ci/testbed.d/scan.sh) and the real Trivy downloads them through trivy-db-repository.
 * Stage level: scan() on the python base image, no build.
 */

interface ScanBed {
  dbRepositoryClean: string
  dbRepositoryVulnerable: string
  dbDigestVulnerable: string
}

const tmp = (p: string): string => mkdtempSync(path.join(os.tmpdir(), `scan-db-${p}-`))

function logger(): { log: ConsoleLogger; lines: string[] } {
  const lines: string[] = []
  return {
    log: new ConsoleLogger(
      (s) => lines.push(s),
      (s) => lines.push(s)
    ),
    lines
  }
}

function scanConfig(inputs: Record<string, string>): Config['scan'] {
  return parseConfig((n) => inputs[n], { cwd: os.tmpdir() }).scan
}

/** A loopback server: forwards to the registry and counts requests, or answers every request with `status`. */
async function loopback(
  opts: { forwardTo?: string; status?: number } = {}
): Promise<{ host: string; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = []
  const server = http.createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`)
    if (!opts.forwardTo) {
      res.writeHead(opts.status ?? 500, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }))
      return
    }
    const [host, port] = opts.forwardTo.split(':')
    const up = http.request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      }
    )
    up.on('error', () => res.writeHead(502).end())
    req.pipe(up)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((r) => server.close(() => r()))
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

const ids = (r: ScanResult): string[] => r.findings.map((f) => f.id).sort()

describeTestbed(
  'vulnerability DB: download, cache and fallback with the real Trivy',
  (bed: Testbed) => {
    const sb = bed.extra.scan as unknown as ScanBed | undefined
    const repoPath = (ref: string): string => ref.slice(ref.indexOf('/'))
    let proxy: Awaited<ReturnType<typeof loopback>>
    let limited: Awaited<ReturnType<typeof loopback>>
    let down: string
    const firstCache = tmp('first')
    let first: ScanResult
    let second: ScanResult
    const secondLines: string[] = []
    let proxiedDuringSecond: string[] = []

    beforeAll(async () => {
      if (!sb) throw new Error('bed.extra.scan is missing: run .ci/testbed.d/scan.sh')
      proxy = await loopback({ forwardTo: bed.baseRegistry })
      limited = await loopback({ status: 429 })
      down = `127.0.0.1:${await closedPort()}/testbed/trivy-db`
      const cfg = scanConfig({
        'trivy-cache-dir': firstCache,
        'trivy-db-repository': `${proxy.host}${repoPath(sb.dbRepositoryVulnerable).replace(/:2$/, '')}`,
        'scan-severity': 'CRITICAL'
      })
      first = await scan(cfg, { image: bed.pythonImage }, { log: logger().log, outDir: tmp('out') })
      proxy.paths.length = 0
      const l = logger()
      second = await scan(cfg, { image: bed.pythonImage }, { log: l.log, outDir: tmp('out') })
      secondLines.push(...l.lines)
      proxiedDuringSecond = [...proxy.paths]
    }, 600_000)

    afterAll(async () => {
      await proxy?.close()
      await limited?.close()
    })

    it('first run downloads the DB artifact from the repository and scans with it', () => {
      expect(first.db.source).toBe('downloaded')
      expect(first.db.repository).toBe(`${proxy.host}${repoPath(sb!.dbRepositoryVulnerable)}`)
      expect(first.db.failures).toEqual([])
      // The planted advisories are only in this DB: finding them proves it was used.
      expect(ids(first)).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
      expect(first.passed).toBe(false)
      const meta = JSON.parse(
        readFileSync(path.join(firstCache, 'db', 'metadata.json'), 'utf8')
      ) as {
        DownloadedAt: string
      }
      expect(new Date(meta.DownloadedAt).getTime()).toBeGreaterThan(Date.now() - 600_000)
    })

    it('second run uses the cached DB: not one request reaches the repository', () => {
      expect(second.db.source).toBe('cached')
      expect(second.db.repository).toBe(first.db.repository)
      expect(proxiedDuringSecond).toEqual([])
      expect(secondLines.join('\n')).not.toContain('--download-db-only')
      expect(ids(second)).toEqual(ids(first))
    })

    it('first repository down: the second is used, and the summary names both', async () => {
      const l = logger()
      const r = await scan(
        scanConfig({
          'trivy-cache-dir': tmp('cache'),
          'trivy-db-repository': `${down},${sb!.dbRepositoryVulnerable}`
        }),
        { image: bed.pythonImage },
        { log: l.log, outDir: tmp('out') }
      )
      expect(r.db.source).toBe('downloaded')
      expect(r.db.repository).toBe(sb!.dbRepositoryVulnerable)
      expect(r.db.failures.map((f) => [f.repository, f.attempts])).toEqual([[`${down}:2`, 1]])
      expect(ids(r)).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
    }, 300_000)

    it('a repository answering 429 is retried with backoff before the next one is used', async () => {
      limited.paths.length = 0
      const started = Date.now()
      const r = await scan(
        scanConfig({
          'trivy-cache-dir': tmp('cache'),
          'trivy-db-repository': `${limited.host}/testbed/trivy-db\n${sb!.dbRepositoryClean}`
        }),
        { image: bed.pythonImage },
        { log: logger().log, outDir: tmp('out'), backoffMs: 300 }
      )
      expect(r.db.repository).toBe(sb!.dbRepositoryClean)
      expect(r.db.failures).toHaveLength(1)
      expect(r.db.failures[0]).toMatchObject({
        repository: `${limited.host}/testbed/trivy-db:2`,
        attempts: 3
      })
      expect(r.db.failures[0].error).toMatch(/429|TOOMANYREQUESTS/)
      // Three downloads reached the limited server, with pauses of 0.3 s and 0.6 s between them.
      expect(limited.paths.length).toBeGreaterThanOrEqual(3)
      expect(Date.now() - started).toBeGreaterThan(900)
      expect(r.findings).toEqual([])
      expect(r.passed).toBe(true)
    }, 300_000)

    /** A copy of the first run's cache whose DB is due for an update and was built `hours` ago. */
    function staleCopy(hours: number): string {
      const dir = tmp('stale')
      cpSync(path.join(firstCache, 'db'), path.join(dir, 'db'), { recursive: true })
      const then = new Date(Date.now() - hours * 3600_000).toISOString()
      writeFileSync(
        path.join(dir, 'db', 'metadata.json'),
        JSON.stringify({ Version: 2, NextUpdate: then, UpdatedAt: then, DownloadedAt: then })
      )
      return dir
    }

    it('every repository down, cached DB younger than scan-db-max-age: scans with it and warns with its age', async () => {
      const l = logger()
      const r = await scan(
        scanConfig({ 'trivy-cache-dir': staleCopy(50), 'trivy-db-repository': down }),
        { image: bed.pythonImage },
        { log: l.log, outDir: tmp('out') }
      )
      expect(r.db.source).toBe('stale')
      expect(r.db.ageHours).toBeCloseTo(50, 0)
      expect(l.lines.join('\n')).toMatch(
        /warning: Every vulnerability DB repository failed \(127\.0\.0\.1:\d+\/testbed\/trivy-db:2\); scanning with the cached DB built 2 days ago/
      )
      expect(ids(r)).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
    }, 300_000)

    it('every repository down, cached DB older than scan-db-max-age: a clear error', async () => {
      await expect(
        scan(
          scanConfig({
            'trivy-cache-dir': staleCopy(50),
            'trivy-db-repository': down,
            'scan-db-max-age': '1d'
          }),
          { image: bed.pythonImage },
          { log: logger().log, outDir: tmp('out') }
        )
      ).rejects.toThrow(
        /Every vulnerability DB repository failed .*, and the cached vulnerability DB is 2 days old, older than scan-db-max-age \(24 hours\)/
      )
    }, 300_000)
  }
)
