import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig, type Config } from '../../src/config.js'
import { Docker } from '../../src/docker.js'
import { ConsoleLogger } from '../../src/log.js'
import { scan, type ScanResult } from '../../src/scan/index.js'
import { describeTestbed, uniqueName, type Testbed } from './testbed.js'

/**
 * The scan policy with the real Trivy and the test bed's vulnerable DB (offline): ignore files
 * that expire, VEX statements, and failing only on what is new against a baseline image.
 * The python base image has CVE-2099-0001 (CRITICAL, expat, fixed) and CVE-2099-0002 (HIGH, sqlite3, no fix).
 */

const tmp = (p: string): string => mkdtempSync(path.join(os.tmpdir(), `scan-policy-${p}-`))
const day = (offset: number): string =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const ids = (r: ScanResult): string[] => r.findings.map((f) => f.id).sort()

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

describeTestbed('scan policy with the real Trivy', (bed: Testbed) => {
  const cfg = (inputs: Record<string, string>): Config['scan'] =>
    parseConfig(
      (n) =>
        ({
          'trivy-cache-dir': bed.trivyCacheVulnerable,
          'scan-skip-db-update': 'true',
          'scan-severity': 'CRITICAL',
          ...inputs
        })[n],
      { cwd: os.tmpdir() }
    ).scan
  const run = async (
    inputs: Record<string, string>,
    opts: { image?: string; dirs?: string[]; defaultBaseline?: string } = {}
  ): Promise<ScanResult & { lines: string[] }> => {
    const l = logger()
    const r = await scan(
      cfg(inputs),
      { image: opts.image ?? bed.pythonImage, defaultBaseline: opts.defaultBaseline },
      { log: l.log, outDir: tmp('out'), docker: new Docker(l.log), ignoreDirs: opts.dirs ?? [] }
    )
    return { ...r, lines: l.lines }
  }
  // A derived image: same base layers and packages, another image id.
  const derived = `ml-docker-it/${uniqueName('derived')}:1`
  let plain: ScanResult & { lines: string[] }

  beforeAll(async () => {
    execFileSync('docker', ['build', '-q', '-t', derived, '-'], {
      input: `FROM ${bed.pythonImage}\nLABEL purpose=scan-baseline-test\n`,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    plain = await run({})
  }, 300_000)

  afterAll(() => {
    execFileSync('docker', ['image', 'rm', '-f', derived], { stdio: 'ignore' })
  })

  it('writes the report, SARIF with a per-image category and a CycloneDX SBOM from one analysis', () => {
    expect(ids(plain)).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
    expect(plain.passed).toBe(false)
    const sarif = JSON.parse(readFileSync(plain.sarifPath, 'utf8')) as {
      runs: { automationDetails: { id: string } }[]
    }
    expect(sarif.runs[0].automationDetails.id).toBe(
      `ml-docker/scan/${bed.pythonImage.replace(/:[^:/]+$/, '')}/`
    )
    const sbom = JSON.parse(readFileSync(plain.sbomPath, 'utf8')) as {
      bomFormat: string
      components: { name: string }[]
    }
    expect(sbom.bomFormat).toBe('CycloneDX')
    // Every package, not only the vulnerable ones: the report was made with --list-all-pkgs.
    expect(sbom.components.length).toBeGreaterThan(50)
    expect(plain.lines.filter((l) => /^\$ \S*trivy image /.test(l))).toHaveLength(1)
    expect(plain.packages.find((p) => p.fixTo)?.fixTo).toBe(
      (bed as unknown as { expectedVulns: { vulnerable: { FixedVersion: string }[] } })
        .expectedVulns.vulnerable[0].FixedVersion
    )
  })

  it('.trivyignore.yaml: an entry ignores the finding until it expires, then the scan fails again', async () => {
    const ctx = tmp('ctx')
    const entry = (expires: string): string =>
      `vulnerabilities:\n  - id: CVE-2099-0001\n    statement: not reachable from the service\n    expired_at: ${expires}\n`
    writeFileSync(path.join(ctx, '.trivyignore.yaml'), entry(day(30)))
    const active = await run({}, { dirs: [ctx] })
    expect(active.ignoreFile).toMatchObject({
      path: path.join(ctx, '.trivyignore.yaml'),
      origin: 'default',
      entries: 1,
      expired: []
    })
    expect(ids(active)).toEqual(['CVE-2099-0002'])
    expect(active.suppressed.ignored).toBe(1)
    expect(active.passed).toBe(true)

    writeFileSync(path.join(ctx, '.trivyignore.yaml'), entry(day(-1)))
    const expired = await run({}, { dirs: [ctx] })
    expect(expired.ignoreFile?.expired).toEqual([{ id: 'CVE-2099-0001', expiredAt: day(-1) }])
    expect(expired.lines.join('\n')).toMatch(/the entry for CVE-2099-0001 expired on/)
    expect(ids(expired)).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
    expect(expired.passed).toBe(false)
  }, 300_000)

  it('VEX: a not_affected statement removes the finding', async () => {
    const report = JSON.parse(readFileSync(plain.reportPath, 'utf8')) as {
      Results: {
        Vulnerabilities?: { VulnerabilityID: string; PkgIdentifier: { PURL: string } }[]
      }[]
    }
    const purl = report.Results.flatMap((r) => r.Vulnerabilities ?? []).find(
      (v) => v.VulnerabilityID === 'CVE-2099-0001'
    )!.PkgIdentifier.PURL
    const vex = path.join(tmp('vex'), 'service.openvex.json')
    writeFileSync(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.invalid/vex/ml-service-1',
        author: 'ml-platform team',
        timestamp: new Date().toISOString(),
        version: 1,
        statements: [
          {
            vulnerability: { name: 'CVE-2099-0001' },
            products: [{ '@id': purl }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path'
          }
        ]
      })
    )
    const r = await run({ 'scan-vex': vex })
    expect(ids(r)).toEqual(['CVE-2099-0002'])
    expect(r.suppressed.vex).toBe(1)
    expect(r.vex).toEqual([vex])
    expect(r.passed).toBe(true)
  }, 300_000)

  it('scan-fail-on new: a baseline image with the same critical CVE passes', async () => {
    // The python base image, read through the registry: it has the same CVEs as the derived image.
    const r = await run(
      { 'scan-fail-on': 'new' },
      { image: derived, defaultBaseline: bed.pythonImage }
    )
    expect(r.baseline).toMatchObject({
      ref: bed.pythonImage,
      origin: 'default',
      found: true,
      newCount: 0,
      fixedCount: 0,
      unchangedCount: 2
    })
    expect(r.counts.CRITICAL).toBe(1)
    expect(r.failing).toEqual([])
    expect(r.passed).toBe(true)
  }, 300_000)

  it('scan-fail-on new: a critical the baseline image does not have fails', async () => {
    // busybox has no dpkg database: every Debian finding of the derived image is new.
    const r = await run(
      { 'scan-fail-on': 'new', 'scan-baseline': bed.busyboxImage },
      { image: derived }
    )
    expect(r.baseline).toMatchObject({
      ref: bed.busyboxImage,
      origin: 'input',
      found: true,
      newCount: 2
    })
    expect(r.failing.map((f) => f.id)).toEqual(['CVE-2099-0001'])
    expect(r.passed).toBe(false)
  }, 300_000)

  it('scan-fail-on new: a kept JSON report works as the baseline, and an unpublished image means all', async () => {
    const fromReport = await run(
      { 'scan-fail-on': 'new', 'scan-baseline': plain.reportPath },
      { image: derived }
    )
    expect(fromReport.baseline).toMatchObject({ found: true, newCount: 0, unchangedCount: 2 })
    expect(fromReport.passed).toBe(true)

    const missing = `${bed.baseRegistry}/testbed/${uniqueName('never-published')}:1`
    const none = await run({ 'scan-fail-on': 'new' }, { image: derived, defaultBaseline: missing })
    expect(none.baseline).toMatchObject({ ref: missing, found: false })
    expect(none.failing.map((f) => f.id)).toEqual(['CVE-2099-0001'])
    expect(none.lines.join('\n')).toMatch(/failing on every finding \(scan-fail-on: all\)/)
  }, 300_000)
})
