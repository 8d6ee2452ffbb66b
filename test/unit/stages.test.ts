import { describe, expect, it } from '@jest/globals'
import { pushOrder } from '../../src/push/index.js'
import { summarize, type TrivyReport } from '../../src/scan/report.js'
import { trivyArgv } from '../../src/scan/index.js'
import { parseTrivyVersion, trivyDownloadUrl, trivyPlatform } from '../../src/scan/install.js'
import { hasHealthcheck, healthTiming, verdict, worstCaseSeconds } from '../../src/smoke/health.js'

const NS = 1_000_000_000

describe('smoke verdicts', () => {
  it('reads the container state the way docker reports it', () => {
    expect(
      verdict({ Status: 'running', Running: true, ExitCode: 0, Health: { Status: 'starting' } })
    ).toBe('starting')
    expect(
      verdict({ Status: 'running', Running: true, ExitCode: 0, Health: { Status: 'healthy' } })
    ).toBe('healthy')
    expect(
      verdict({ Status: 'running', Running: true, ExitCode: 0, Health: { Status: 'unhealthy' } })
    ).toBe('unhealthy')
    expect(
      verdict({ Status: 'exited', Running: false, ExitCode: 3, Health: { Status: 'starting' } })
    ).toBe('exited')
  })
  it('treats HEALTHCHECK NONE and a missing check alike', () => {
    expect(hasHealthcheck(null)).toBe(false)
    expect(hasHealthcheck({ Test: ['NONE'] })).toBe(false)
    expect(hasHealthcheck({ Test: ['CMD', 'true'] })).toBe(true)
  })
  it('applies docker defaults to the timing', () => {
    expect(healthTiming({ Test: ['CMD', 'x'] })).toEqual({
      interval: 30,
      timeout: 30,
      startPeriod: 0,
      retries: 3
    })
    expect(
      worstCaseSeconds({
        Test: ['CMD', 'x'],
        Interval: 2 * NS,
        Timeout: 1 * NS,
        Retries: 2,
        StartPeriod: 5 * NS
      })
    ).toBe(11)
  })
})

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
  it('builds the trivy argv from the scan config', () => {
    const argv = trivyArgv(
      {
        enabled: true,
        severities: ['HIGH'],
        ignoreUnfixed: false,
        trivyVersion: '0.74.0',
        cacheDir: '/c',
        dbRepository: ['127.0.0.1:5001/db:2'],
        skipDbUpdate: true
      },
      { layout: '/run/oci', digest: 'sha256:abc' },
      '/r.json'
    )
    expect(argv.slice(0, 5)).toEqual(['image', '--format', 'json', '--output', '/r.json'])
    expect(argv).toEqual(
      expect.arrayContaining([
        '--cache-dir',
        '/c',
        '--skip-db-update',
        '--db-repository',
        '127.0.0.1:5001/db:2'
      ])
    )
    // The OCI layout the build wrote, at the tested digest: no docker save round trip.
    expect(argv.slice(-2)).toEqual(['--input', '/run/oci@sha256:abc'])
    expect(argv).not.toContain('--image-src')
    const daemon = trivyArgv(
      {
        enabled: true,
        severities: ['HIGH'],
        ignoreUnfixed: false,
        trivyVersion: '0.74.0',
        cacheDir: '',
        dbRepository: [],
        skipDbUpdate: false
      },
      { image: 'app:1' },
      '/r.json'
    )
    expect(daemon.slice(-1)).toEqual(['app:1'])
    expect(daemon).toEqual(expect.arrayContaining(['--image-src', 'docker']))
  })
  it('knows the release asset names and reads versions', () => {
    expect(trivyPlatform('linux', 'x64')).toBe('Linux-64bit')
    expect(trivyPlatform('linux', 'arm64')).toBe('Linux-ARM64')
    expect(trivyDownloadUrl('0.74.0', 'Linux-64bit')).toMatch(
      /\/v0\.74\.0\/trivy_0\.74\.0_Linux-64bit\.tar\.gz$/
    )
    expect(parseTrivyVersion('Version: 0.74.0\nVulnerability DB:\n')).toBe('0.74.0')
  })
})

describe('push', () => {
  it('pushes version tags before floating ones', () => {
    const floating = (t: string): boolean => t.endsWith(':latest-gpu')
    expect(pushOrder(['r/a:latest-gpu', 'r/a:1.2.3', 'r/a:1', 'r/a:1.2'], floating)).toEqual([
      'r/a:1.2.3',
      'r/a:1',
      'r/a:1.2',
      'r/a:latest-gpu'
    ])
  })
})
