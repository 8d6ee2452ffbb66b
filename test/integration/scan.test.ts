import { beforeAll, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import {
  describeTestbed,
  registryTags,
  runAction,
  runPost,
  serviceInputs,
  uniqueName,
  type ActionRun,
  type Testbed,
  tagPush
} from './testbed.js'

const release = tagPush('v3.1.0')

const inputs = (
  bed: Testbed,
  repo: string,
  extra: Record<string, string>
): Record<string, string> =>
  serviceInputs(bed, repo, {
    'trivy-cache-dir': bed.trivyCacheVulnerable,
    smoke: 'false',
    ...extra
  })

describeTestbed('scan gate with real Trivy', (bed) => {
  const repo = uniqueName('acme/ml-service-vuln')
  let failing: ActionRun
  let unfixedIgnored: ActionRun

  beforeAll(async () => {
    failing = await runAction(inputs(bed, repo, {}), release)
    await runPost(failing, inputs(bed, repo, {}), release)
    // Only the HIGH finding is gated, and it has no fix: ignoring unfixed lets the release through.
    const pass = inputs(bed, repo, { 'scan-severity': 'HIGH', 'scan-ignore-unfixed': 'true' })
    unfixedIgnored = await runAction(pass, release)
    await runPost(unfixedIgnored, pass, release)
  }, 900_000)

  it('fails on a CRITICAL vulnerability, names it, and pushes nothing', () => {
    expect(failing.code).not.toBe(0)
    expect(failing.summary).toMatch(/\| scan \| ❌ failed/)
    expect(failing.summary).toMatch(/\| push \| ⏭️ skipped/)
    expect(failing.output).toMatch(/CRITICAL CVE-2099-0001/)
    expect(failing.outputs['scan-critical']).toBe('1')
    expect(failing.outputs['scan-high']).toBe('1')
    expect(failing.outputs.pushed).toBe('false')
    const report = JSON.parse(readFileSync(failing.outputs['scan-report'], 'utf8')) as {
      Results: { Vulnerabilities?: { VulnerabilityID: string }[] }[]
    }
    const ids = report.Results.flatMap((r) =>
      (r.Vulnerabilities ?? []).map((v) => v.VulnerabilityID)
    ).sort()
    expect(ids).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
    expect(failing.outputs['scan-sarif']).toMatch(/\.sarif$/)
  })

  it('honours scan-severity and scan-ignore-unfixed', () => {
    if (unfixedIgnored.code !== 0) console.log(unfixedIgnored.output)
    expect(unfixedIgnored.code).toBe(0)
    expect(unfixedIgnored.output).toMatch(/1 unfixed ignored/)
    expect(unfixedIgnored.outputs.pushed).toBe('true')
    expect(registryTags(bed, repo)).toContain('3.1.0')
  })

  it("reuses the first run's layer analyses and still matches them against the DB", () => {
    // The same image again: Trivy's per-layer results come from the kept cache, the findings
    // from the DB, so the report holds both vulnerabilities again (the gate then ignores the
    // unfixed one).
    expect(unfixedIgnored.output).toMatch(/layer analysis cache: [1-9]\d* bytes carried over/)
    const ids = (run: ActionRun): string[] =>
      (
        JSON.parse(readFileSync(run.outputs['scan-report'], 'utf8')) as {
          Results: { Vulnerabilities?: { VulnerabilityID: string }[] }[]
        }
      ).Results.flatMap((r) => (r.Vulnerabilities ?? []).map((v) => v.VulnerabilityID)).sort()
    expect(ids(unfixedIgnored)).toEqual(ids(failing))
    expect(ids(failing)).toEqual(['CVE-2099-0001', 'CVE-2099-0002'])
  })
})
