import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import {
  checkUsable,
  dbCacheKeys,
  defaultCacheDir,
  errorCause,
  fetchDb,
  isTemporary,
  needsDownload,
  readDbMetadata,
  readDbSource,
  withSchemaTag
} from '../../src/scan/db.js'
import { scannerEnv } from '../../src/scan/env.js'
import {
  downloadArgv,
  imageName,
  setSarifCategory,
  trivyArgv,
  type ScanResult
} from '../../src/scan/index.js'
import { scanDetail, scanFailure, scanMarkdown, scanOutputs } from '../../src/scan/summary.js'
import {
  parseTrivyVersion,
  trivyDownloadUrl,
  trivyPlatform,
  userToolDir
} from '../../src/scan/install.js'
import {
  compareVersions,
  compareWithBaseline,
  countSuppressed,
  describeIgnoreFile,
  describePackageFix,
  findIgnoreFile,
  fixFor,
  groupByPackage
} from '../../src/scan/policy.js'
import { summarize, type ScanFinding, type TrivyReport } from '../../src/scan/report.js'

const lines: string[] = []
const log = new ConsoleLogger(
  (s) => lines.push(s),
  (s) => lines.push(s)
)
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'scan-unit-'))

const report: TrivyReport = {
  Metadata: { OS: { Family: 'debian', Name: '12.9' } },
  Results: [
    {
      Target: 'img (debian 12.9)',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-1',
          PkgName: 'zlib1g',
          Severity: 'CRITICAL',
          Status: 'fixed',
          FixedVersion: '2'
        },
        { VulnerabilityID: 'CVE-2', PkgName: 'libc6', Severity: 'HIGH', Status: 'affected' },
        { VulnerabilityID: 'CVE-3', PkgName: 'libc6', Severity: 'LOW', Status: 'will_not_fix' }
      ]
    },
    {
      Target: '/app/.env',
      Class: 'secret',
      Secrets: [{ RuleID: 'aws-access-key-id', Severity: 'CRITICAL', StartLine: 2 }]
    }
  ]
}

describe('scan gate', () => {
  it('counts every finding and fails on the gated severities', () => {
    const s = summarize(report, ['CRITICAL', 'HIGH'], false)
    expect(s.counts).toMatchObject({ CRITICAL: 2, HIGH: 1, LOW: 1, MEDIUM: 0 })
    expect(s.failing.map((f) => f.id)).toEqual(['aws-access-key-id', 'CVE-1', 'CVE-2'])
    expect(s.os).toBe('debian 12.9')
  })
  it('ignores unfixed vulnerabilities but never secrets', () => {
    const s = summarize(report, ['CRITICAL', 'HIGH'], true)
    expect(s.ignoredUnfixed).toBe(2)
    expect(s.failing.map((f) => f.id)).toEqual(['aws-access-key-id', 'CVE-1'])
  })
  it('passes when nothing gated is found', () => {
    expect(summarize(report, ['MEDIUM'], false).failing).toEqual([])
    expect(summarize({}, ['CRITICAL'], false).findings).toEqual([])
  })
  it('builds one analysis argv: every package, no DB update, ignore file and VEX passed on', () => {
    const argv = trivyArgv(
      { image: 'app:1' },
      {
        cacheDir: '/c',
        reportPath: '/r.json',
        ignoreFile: '/w/.trivyignore.yaml',
        vex: ['/a.json', '/b.json']
      }
    )
    expect(argv.slice(0, 5)).toEqual(['image', '--format', 'json', '--output', '/r.json'])
    expect(argv).toEqual(
      expect.arrayContaining([
        '--cache-dir',
        '/c',
        '--skip-db-update',
        '--list-all-pkgs=true',
        '--show-suppressed'
      ])
    )
    expect(argv.join(' ')).toContain('--ignorefile /w/.trivyignore.yaml')
    expect(argv.join(' ')).toContain('--vex /a.json --vex /b.json')
    expect(argv).not.toContain('--skip-java-db-update')
    expect(argv.slice(-3)).toEqual(['--image-src', 'docker', 'app:1'])
    const archive = trivyArgv(
      { image: 'app:1', input: '/i.tar' },
      { cacheDir: '/c', reportPath: '/r' }
    )
    expect(archive.slice(-2)).toEqual(['--input', '/i.tar'])
    expect(archive).not.toContain('app:1')
  })
  it('downloads the DB from one repository per run of trivy, or from its defaults', () => {
    expect(downloadArgv('127.0.0.1:5001/db:2', '/s')).toEqual(
      expect.arrayContaining([
        '--download-db-only',
        '--db-repository',
        '127.0.0.1:5001/db:2',
        '--cache-dir',
        '/s'
      ])
    )
    expect(downloadArgv('', '/s')).not.toContain('--db-repository')
  })
  it('knows the release asset names and reads versions', () => {
    expect(trivyPlatform('linux', 'x64')).toBe('Linux-64bit')
    expect(trivyPlatform('linux', 'arm64')).toBe('Linux-ARM64')
    expect(trivyDownloadUrl('0.74.0', 'Linux-64bit')).toMatch(
      /\/v0\.74\.0\/trivy_0\.74\.0_Linux-64bit\.tar\.gz$/
    )
    expect(
      trivyDownloadUrl('0.74.0', 'Linux-ARM64', 'http://127.0.0.1:9/t/{version}/{platform}.tgz')
    ).toBe('http://127.0.0.1:9/t/0.74.0/Linux-ARM64.tgz')
    expect(userToolDir({ HOME: '/h' })).toBe('/h/.cache/ml-docker/tools')
    expect(userToolDir({ HOME: '/h', XDG_CACHE_HOME: '/x' })).toBe('/x/ml-docker/tools')
    expect(parseTrivyVersion('Version: 0.74.0\nVulnerability DB:\n')).toBe('0.74.0')
  })
})

const HOUR = 3600_000
const at = (iso: string): Date => new Date(iso)

function writeDb(dir: string, meta: Record<string, unknown>): void {
  mkdirSync(path.join(dir, 'db'), { recursive: true })
  writeFileSync(path.join(dir, 'db', 'trivy.db'), 'bolt')
  writeFileSync(path.join(dir, 'db', 'metadata.json'), JSON.stringify(meta))
}

describe('vulnerability DB policy', () => {
  const now = at('2026-12-01T12:00:00Z')
  it('downloads when there is no DB, the schema differs, or NextUpdate passed more than an hour after the last download', () => {
    expect(needsDownload(undefined, now)).toBe(true)
    expect(needsDownload({ version: 1, nextUpdate: at('2027-01-01T00:00:00Z') }, now)).toBe(true)
    expect(needsDownload({ version: 2, nextUpdate: at('2026-12-02T00:00:00Z') }, now)).toBe(false)
    expect(
      needsDownload(
        {
          version: 2,
          nextUpdate: at('2026-12-01T00:00:00Z'),
          downloadedAt: at('2026-12-01T11:30:00Z')
        },
        now
      )
    ).toBe(false)
    expect(
      needsDownload(
        {
          version: 2,
          nextUpdate: at('2026-12-01T00:00:00Z'),
          downloadedAt: at('2026-12-01T10:00:00Z')
        },
        now
      )
    ).toBe(true)
  })
  it('accepts a cached DB up to scan-db-max-age, and says what to change otherwise', () => {
    const meta = { version: 2, updatedAt: new Date(now.getTime() - 30 * HOUR) }
    expect(checkUsable(meta, now, 7 * 24, 'x')).toBeCloseTo(30)
    expect(() => checkUsable(meta, now, 24, 'every repository failed')).toThrow(
      /every repository failed, and the cached vulnerability DB is 30 hours old, older than scan-db-max-age \(24 hours\).*raise scan-db-max-age/
    )
    expect(() => checkUsable(undefined, now, 24, 'all down')).toThrow(
      /all down, and there is no cached vulnerability DB/
    )
    expect(() => checkUsable({ version: 3, updatedAt: now }, now, 24, 'x')).toThrow(
      /schema 3, not 2/
    )
  })
  it('reads metadata.json as trivy-db writes it, zero times included', async () => {
    const dir = tmp()
    expect(await readDbMetadata(dir)).toBeUndefined()
    writeDb(dir, {
      Version: 2,
      NextUpdate: '2026-12-02T06:00:00Z',
      UpdatedAt: '2026-12-01T06:00:00.123Z',
      DownloadedAt: '0001-01-01T00:00:00Z'
    })
    const m = await readDbMetadata(dir)
    expect(m?.version).toBe(2)
    expect(m?.updatedAt?.toISOString()).toBe('2026-12-01T06:00:00.123Z')
    expect(m?.downloadedAt).toBeUndefined()
  })
  it('recognises rate limits and server errors as temporary, and nothing else', () => {
    expect(isTemporary('GET http://r/v2/db/manifests/2: TOOMANYREQUESTS: retry-after: 1s')).toBe(
      true
    )
    expect(isTemporary('unexpected status code 503 Service Unavailable')).toBe(true)
    expect(isTemporary('dial tcp 127.0.0.1:9: connect: connection refused')).toBe(false)
    expect(isTemporary('DENIED: requested access to the resource is denied')).toBe(false)
  })
  it("names the innermost cause of Trivy's error chain", () => {
    const out = [
      '2026-12-01T16:22:01Z\tINFO\t[vulndb] Downloading artifact...\trepo="127.0.0.1:46297/x/db:2"',
      '2026-12-01T16:22:05Z\tFATAL\tFatal error\trun error: init error: DB error: failed to download vulnerability DB: failed to download artifact from any source: 1 error occurred:',
      '\t* OCI repository error: 1 error occurred:',
      '\t* Get "https://127.0.0.1:46297/v2/": http: server gave HTTP response to HTTPS client; GET http://127.0.0.1:46297/v2/: TOOMANYREQUESTS: slow down',
      '',
      ''
    ].join('\n')
    expect(errorCause(out)).toBe('GET http://127.0.0.1:46297/v2/: TOOMANYREQUESTS: slow down')
    expect(errorCause('FATAL something broke\n')).toBe('FATAL something broke')
  })
  it('tags repositories with the schema unless a tag or digest is given', () => {
    expect(withSchemaTag('127.0.0.1:5001/testbed/trivy-db')).toBe(
      '127.0.0.1:5001/testbed/trivy-db:2'
    )
    expect(withSchemaTag('127.0.0.1:5001/testbed/trivy-db:latest')).toBe(
      '127.0.0.1:5001/testbed/trivy-db:latest'
    )
    expect(withSchemaTag('r/db@sha256:' + 'a'.repeat(64))).toBe('r/db@sha256:' + 'a'.repeat(64))
  })
  it('keys the Actions cache by day and restores the newest older day', () => {
    expect(dbCacheKeys('db', now)).toEqual({
      key: 'ml-docker-trivy-db-2-2026-12-01',
      restoreKeys: ['ml-docker-trivy-db-2-']
    })
    expect(dbCacheKeys('java-db', now).key).toBe('ml-docker-trivy-java-db-1-2026-12-01')
    expect(defaultCacheDir({ HOME: '/h' })).toBe('/h/.cache/ml-docker/trivy')
  })
})

describe('fetchDb: repositories in order, backoff on 429/5xx, the cached DB never damaged', () => {
  const okDownload = (dir: string): { code: number; output: string } => {
    writeDb(dir, { Version: 2, UpdatedAt: '2026-12-01T00:00:00Z' })
    return { code: 0, output: '' }
  }
  it('retries a rate-limited repository with doubling pauses, then uses it', async () => {
    const cacheDir = tmp()
    const calls: string[] = []
    const pauses: number[] = []
    const r = await fetchDb({
      repositories: ['a:2', 'b:2'],
      cacheDir,
      log,
      backoffMs: 100,
      sleep: (ms) => {
        pauses.push(ms)
        return Promise.resolve()
      },
      download: (repo, dir) =>
        Promise.resolve().then(() => {
          calls.push(repo)
          return calls.length < 3 ? { code: 1, output: 'FATAL TOOMANYREQUESTS' } : okDownload(dir)
        })
    })
    expect(r.repository).toBe('a:2')
    expect(calls).toEqual(['a:2', 'a:2', 'a:2'])
    expect(pauses).toEqual([100, 200])
    expect(await readDbSource(cacheDir)).toBe('a:2')
  })
  it('moves on at once after a permanent error, and records every failure', async () => {
    const cacheDir = tmp()
    const calls: string[] = []
    const r = await fetchDb({
      repositories: ['down:2', 'limited:2', 'ok:2'],
      cacheDir,
      log,
      attempts: 2,
      sleep: () => Promise.resolve(),
      download: (repo, dir) =>
        Promise.resolve().then(() => {
          calls.push(repo)
          if (repo === 'down:2') return { code: 1, output: 'FATAL connect: connection refused' }
          if (repo === 'limited:2')
            return { code: 1, output: 'unexpected status code 429 Too Many Requests' }
          return okDownload(dir)
        })
    })
    expect(calls).toEqual(['down:2', 'limited:2', 'limited:2', 'ok:2'])
    expect(r.repository).toBe('ok:2')
    expect(r.failures.map((f) => [f.repository, f.attempts])).toEqual([
      ['down:2', 1],
      ['limited:2', 2]
    ])
  })
  it('leaves the cached DB in place when every repository fails mid-download', async () => {
    const cacheDir = tmp()
    writeDb(cacheDir, { Version: 2, UpdatedAt: '2026-11-30T00:00:00Z' })
    const r = await fetchDb({
      repositories: ['a:2'],
      cacheDir,
      log,
      download: (_repo, dir) =>
        Promise.resolve().then(() => {
          mkdirSync(path.join(dir, 'db'), { recursive: true })
          writeFileSync(path.join(dir, 'db', 'trivy.db'), 'half')
          return { code: 1, output: 'unexpected EOF' }
        })
    })
    expect(r.repository).toBeUndefined()
    expect(readFileSync(path.join(cacheDir, 'db', 'trivy.db'), 'utf8')).toBe('bolt')
    expect((await readDbMetadata(cacheDir))?.updatedAt?.toISOString()).toBe(
      '2026-11-30T00:00:00.000Z'
    )
    expect(
      existsSync(cacheDir) && readFileSync(path.join(cacheDir, 'db', 'metadata.json'), 'utf8')
    ).toContain('2026-11-30')
  })
})

describe('scanner environment', () => {
  it('passes what Trivy needs and none of the push credentials', () => {
    const env = scannerEnv(
      {
        PATH: '/bin',
        HOME: '/home/u',
        HTTPS_PROXY: 'http://127.0.0.1:3128',
        DOCKER_HOST: 'unix:///run/docker.sock',
        DOCKER_CONFIG: '/tmp/run-login',
        INPUT_PASSWORD: 'push-secret',
        INPUT_USERNAME: 'ci',
        GITHUB_TOKEN: 'ghs_x',
        ACTIONS_RUNTIME_TOKEN: 'tok',
        TRIVY_PASSWORD: 'scan-secret',
        TRIVY_SEVERITY: 'CRITICAL',
        TRIVY_IGNOREFILE: '/elsewhere',
        LC_ALL: 'C.UTF-8'
      },
      '/tmp/empty'
    )
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      DOCKER_HOST: 'unix:///run/docker.sock',
      DOCKER_CONFIG: '/tmp/empty',
      TRIVY_PASSWORD: 'scan-secret',
      TRIVY_DISABLE_VEX_NOTICE: 'true',
      LC_ALL: 'C.UTF-8'
    })
  })
})

describe('ignore files', () => {
  it('prefers the explicit file, then the context, then the workspace', () => {
    const ctx = tmp()
    const ws = tmp()
    expect(findIgnoreFile('', [ctx, ws])).toBeUndefined()
    writeFileSync(path.join(ws, '.trivyignore'), 'CVE-1\n')
    expect(findIgnoreFile('', [ctx, ws])).toEqual({
      path: path.join(ws, '.trivyignore'),
      origin: 'default'
    })
    writeFileSync(path.join(ctx, '.trivyignore.yaml'), 'vulnerabilities: []\n')
    expect(findIgnoreFile('', [ctx, ws])?.path).toBe(path.join(ctx, '.trivyignore.yaml'))
    expect(findIgnoreFile(path.join(ws, '.trivyignore'), [ctx])?.origin).toBe('input')
    expect(() => findIgnoreFile(path.join(ws, 'nope'), [ctx])).toThrow(
      /scan-ignore-file .*nope does not exist/
    )
  })
  it('counts entries and the expired ones in both formats', () => {
    const now = at('2026-12-01T00:00:00Z')
    const yaml = describeIgnoreFile(
      '/w/.trivyignore.yaml',
      'default',
      'vulnerabilities:\n  - id: CVE-1\n    expired_at: 2026-01-01\n    statement: old\n  - id: CVE-2\n    expired_at: 2027-01-01\nsecrets:\n  - id: aws-access-key-id\n',
      now
    )
    expect(yaml).toMatchObject({
      format: 'yaml',
      entries: 3,
      expired: [{ id: 'CVE-1', expiredAt: '2026-01-01' }]
    })
    const plain = describeIgnoreFile(
      '/w/.trivyignore',
      'input',
      '# c\nCVE-1 exp:2025-05-05\nCVE-2\n\nCVE-3 exp:2030-01-01\n',
      now
    )
    expect(plain).toMatchObject({
      format: 'plain',
      entries: 3,
      expired: [{ id: 'CVE-1', expiredAt: '2025-05-05' }]
    })
    expect(() =>
      describeIgnoreFile('/w/i.yaml', 'input', 'vulnerabilities:\n  - statement: x\n', now)
    ).toThrow(/needs an id/)
    expect(() => describeIgnoreFile('/w/i', 'input', 'CVE-1 exp:soon\n', now)).toThrow(
      /unreadable expiry date "soon"/
    )
  })
  it('counts what the ignore file and VEX suppressed', () => {
    expect(
      countSuppressed({
        Results: [
          {
            Target: 't',
            ExperimentalModifiedFindings: [
              { Status: 'ignored' },
              { Status: 'not_affected' },
              { Status: 'ignored' }
            ]
          }
        ]
      })
    ).toEqual({ ignored: 2, vex: 1 })
  })
})

const vuln = (
  id: string,
  pkg: string,
  severity: ScanFinding['severity'],
  fixed?: string,
  installed = '1.0',
  target = 'img (debian 12)'
): ScanFinding => ({
  kind: 'vulnerability',
  id,
  pkg,
  severity,
  fixed,
  installed,
  target
})

describe('baseline comparison', () => {
  it('matches findings by ID and package, whatever the image name in the target', () => {
    const base = [
      vuln('CVE-1', 'expat', 'CRITICAL', '2', '1', 'r/app:main (debian 12)'),
      vuln('CVE-9', 'zlib', 'HIGH', '3', '1', 'r/app:main (debian 12)')
    ]
    const cur = [
      vuln('CVE-1', 'expat', 'CRITICAL', '2', '1', 'r/app:pr-1 (debian 12)'),
      vuln('CVE-2', 'sqlite3', 'CRITICAL')
    ]
    const c = compareWithBaseline(cur, base)
    expect(c.newFindings.map((f) => f.id)).toEqual(['CVE-2'])
    expect(c.unchanged.map((f) => f.id)).toEqual(['CVE-1'])
    expect(c.fixed.map((f) => f.id)).toEqual(['CVE-9'])
    const secret: ScanFinding = {
      kind: 'secret',
      id: 'aws-access-key-id',
      severity: 'CRITICAL',
      target: '/app/.env:2'
    }
    expect(compareWithBaseline([secret], [secret]).newFindings).toEqual([])
  })
})

describe('grouping by package', () => {
  it('orders versions the way Debian and semver mostly agree', () => {
    expect(compareVersions('2.5.0-1+deb12u1', '2.5.0-1+deb12u2')).toBeLessThan(0)
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0)
    expect(compareVersions('1.0~rc1', '1.0')).toBeLessThan(0)
    expect(compareVersions('1.0', '1.0')).toBe(0)
    expect(fixFor('1.2.3', '1.2.5, 2.0.1')).toBe('1.2.5')
    expect(fixFor('1.9.0', '1.2.5, 2.0.1')).toBe('2.0.1')
  })
  it('names the one upgrade that fixes every fixable finding of a package', () => {
    const groups = groupByPackage([
      vuln('CVE-1', 'libexpat1', 'CRITICAL', '2.5.0-1+deb12u2', '2.5.0-1'),
      vuln('CVE-3', 'libexpat1', 'HIGH', '2.5.0-1+deb12u1', '2.5.0-1'),
      vuln('CVE-4', 'libexpat1', 'HIGH', undefined, '2.5.0-1'),
      vuln('CVE-2', 'libsqlite3-0', 'HIGH', undefined),
      { kind: 'secret', id: 's', severity: 'CRITICAL', target: '/x' }
    ])
    expect(groups.map((g) => g.pkg)).toEqual(['libexpat1', 'libsqlite3-0'])
    expect(describePackageFix(groups[0])).toBe(
      'upgrade libexpat1 to 2.5.0-1+deb12u2: fixes 1 critical, 1 high (1 without a fix yet)'
    )
    expect(groups[1].fixTo).toBeUndefined()
    expect(describePackageFix(groups[1])).toBe('libsqlite3-0 1.0: 1 without a fix yet')
  })
})

describe('SARIF category and scan inputs', () => {
  it('gives each image its own code-scanning category', () => {
    expect(imageName('127.0.0.1:5000/acme/app:1.2@sha256:' + 'a'.repeat(64))).toBe(
      '127.0.0.1:5000/acme/app'
    )
    expect(imageName('127.0.0.1:5000/acme/app')).toBe('127.0.0.1:5000/acme/app')
    const sarif = { runs: [{ tool: {} }] as Record<string, unknown>[] }
    setSarifCategory(sarif, 'r/acme/app:main')
    expect(sarif.runs[0].automationDetails).toEqual({ id: 'ml-docker/scan/r/acme/app/' })
  })
  it('parses the scan policy inputs and refuses bad values', () => {
    const cfg = (v: Record<string, string>) => parseConfig((n) => v[n], { cwd: '/w' }).scan
    const d = cfg({})
    expect(d).toMatchObject({
      failOn: 'all',
      baseline: '',
      ignoreFile: '',
      vex: [],
      dbMaxAgeHours: 168
    })
    expect(
      cfg({
        'scan-fail-on': 'NEW',
        'scan-baseline': 'reports/main.json',
        'scan-ignore-file': '.trivyignore.yaml',
        'scan-vex': 'vex/a.json\nvex/b.cdx.json',
        'scan-db-max-age': '36h',
        'trivy-db-repository': '127.0.0.1:5001/a/db\n127.0.0.1:5001/b/db:2'
      })
    ).toMatchObject({
      failOn: 'new',
      baseline: '/w/reports/main.json',
      ignoreFile: '/w/.trivyignore.yaml',
      vex: ['/w/vex/a.json', '/w/vex/b.cdx.json'],
      dbMaxAgeHours: 36,
      dbRepository: ['127.0.0.1:5001/a/db', '127.0.0.1:5001/b/db:2']
    })
    expect(cfg({ 'scan-baseline': '127.0.0.1:5000/acme/app:main' }).baseline).toBe(
      '127.0.0.1:5000/acme/app:main'
    )
    expect(() => cfg({ 'scan-fail-on': 'changed' })).toThrow(/"scan-fail-on" must be all or new/)
    expect(() => cfg({ 'scan-db-max-age': 'a week' })).toThrow(
      /"scan-db-max-age" must be a positive age/
    )
    expect(() => cfg({ 'trivy-sha256': 'abc' })).toThrow(/"trivy-sha256" must be the 64 hex digits/)
  })
})

describe('scan summary', () => {
  const report: TrivyReport = {
    Results: [
      {
        Target: 'r/app:main (debian 12)',
        Vulnerabilities: [
          {
            VulnerabilityID: 'CVE-1',
            PkgName: 'libexpat1',
            InstalledVersion: '2.5.0-1',
            FixedVersion: '2.5.0-1+deb12u2',
            Severity: 'CRITICAL'
          },
          {
            VulnerabilityID: 'CVE-2',
            PkgName: 'libsqlite3-0',
            InstalledVersion: '3.40.1-2',
            Severity: 'HIGH',
            Status: 'affected'
          }
        ]
      }
    ]
  }
  const summary = summarize(report, ['CRITICAL'], false)
  const comparison = compareWithBaseline(summary.findings, [summary.findings[1]])
  const result: ScanResult = {
    ...summary,
    passed: false,
    reportPath: '/r/trivy-report.json',
    sarifPath: '/r/trivy-report.sarif',
    sbomPath: '/r/sbom.cdx.json',
    trivy: 'trivy',
    seconds: 1,
    image: 'r/app:main',
    db: {
      source: 'stale',
      repository: '127.0.0.1:5001/db:2',
      updatedAt: '2026-11-28T06:00:00.000Z',
      ageHours: 54,
      failures: [{ repository: '127.0.0.1:5001/db:2', attempts: 3, error: 'TOOMANYREQUESTS' }]
    },
    cacheDir: '/c',
    cacheSaved: [],
    ignoreFile: {
      path: '/w/.trivyignore.yaml',
      origin: 'default',
      format: 'yaml',
      entries: 2,
      expired: [{ id: 'CVE-1', expiredAt: '2026-11-01' }]
    },
    vex: ['/w/vex.json'],
    suppressed: { ignored: 1, vex: 0 },
    failOn: 'new',
    baseline: {
      ref: 'r/app:main',
      origin: 'default',
      found: true,
      newCount: 1,
      fixedCount: 0,
      unchangedCount: 1,
      comparison
    },
    packages: groupByPackage(summary.findings)
  }
  it('says which DB was used, what policy applied and what to upgrade', () => {
    const md = scanMarkdown(result).join('\n')
    expect(md).toContain(
      '- Vulnerability DB: cached from 127.0.0.1:5001/db:2: every repository failed, built 2026-11-28 06:00 UTC, 2 days old'
    )
    expect(md).toContain('127.0.0.1:5001/db:2 failed after 3 tries: TOOMANYREQUESTS')
    expect(md).toContain(
      '`/w/.trivyignore.yaml` (found by default), 2 entries, 1 expired (CVE-1 on 2026-11-01); 1 findings ignored'
    )
    expect(md).toContain(
      'Baseline `r/app:main` (first computed tag): 1 new, 0 fixed, 1 unchanged; only new findings fail'
    )
    expect(md).toContain('- upgrade libexpat1 to 2.5.0-1+deb12u2: fixes 1 critical')
    expect(md).toContain('No fix yet: libsqlite3-0 (1)')
    expect(md).toMatch(/- \*\*new\*\* CRITICAL CVE-1 in libexpat1/)
    expect(md).not.toMatch(/\*\*new\*\* HIGH CVE-2/)
  })
  it('names new findings in the gate message and fills the outputs', () => {
    expect(scanDetail(result)).toBe(
      '1 critical, 1 high, 0 medium, 0 low; vs baseline: 1 new, 0 fixed, 1 unchanged; DB stale'
    )
    expect(scanFailure({ ...result, failing: [summary.findings[0]] }, ['CRITICAL'])).toMatch(
      /^the scan found 1 new findings \(absent from the baseline\) of severity CRITICAL/
    )
    expect(scanOutputs(result)).toMatchObject({
      'scan-sbom': '/r/sbom.cdx.json',
      'scan-new': '1',
      'scan-critical': '1'
    })
    expect(scanOutputs({ ...result, baseline: undefined })['scan-new']).toBe('')
  })
})
