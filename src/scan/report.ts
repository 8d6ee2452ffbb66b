import type { ScanSeverity } from '../config.js'
import { SEVERITIES } from '../config.js'

/** The parts of Trivy's JSON report (schema 2) the gate reads. */
export interface TrivyReport {
  SchemaVersion?: number
  ArtifactName?: string
  Metadata?: {
    ImageID?: string
    DiffIDs?: string[]
    OS?: { Family?: string; Name?: string; EOSL?: boolean }
  }
  Results?: {
    Target: string
    Class?: string
    Type?: string
    Vulnerabilities?: {
      VulnerabilityID: string
      PkgName: string
      PkgPath?: string
      InstalledVersion?: string
      FixedVersion?: string
      Status?: string
      Severity: string
      Title?: string
      PrimaryURL?: string
    }[]
    Secrets?: { RuleID: string; Severity: string; Title?: string; StartLine?: number }[]
    /** With --show-suppressed: findings an ignore file or a VEX statement removed. */
    ExperimentalModifiedFindings?: {
      Type?: string
      Status?: string
      Statement?: string
      Source?: string
      Finding?: { VulnerabilityID?: string; RuleID?: string; PkgName?: string }
    }[]
  }[]
}

export interface ScanFinding {
  kind: 'vulnerability' | 'secret'
  id: string
  severity: ScanSeverity
  target: string
  pkg?: string
  /** For language packages: the file the package was found in. */
  pkgPath?: string
  installed?: string
  fixed?: string
  title?: string
  url?: string
}

export interface ScanSummary {
  counts: Record<ScanSeverity, number>
  findings: ScanFinding[]
  /** Findings whose severity is in the gate. */
  failing: ScanFinding[]
  ignoredUnfixed: number
  os?: string
}

function normSeverity(s: string): ScanSeverity {
  const up = (s || 'UNKNOWN').toUpperCase()
  return (SEVERITIES as readonly string[]).includes(up) ? (up as ScanSeverity) : 'UNKNOWN'
}

/** A vulnerability counts as fixed when the data says so, or names a fixed version. */
function isFixed(v: { Status?: string; FixedVersion?: string }): boolean {
  return v.Status ? v.Status === 'fixed' : !!v.FixedVersion
}

export function summarize(
  report: TrivyReport,
  gate: ScanSeverity[],
  ignoreUnfixed: boolean
): ScanSummary {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<ScanSeverity, number>
  const findings: ScanFinding[] = []
  let ignoredUnfixed = 0
  for (const r of report.Results ?? []) {
    for (const v of r.Vulnerabilities ?? []) {
      if (ignoreUnfixed && !isFixed(v)) {
        ignoredUnfixed++
        continue
      }
      findings.push({
        kind: 'vulnerability',
        id: v.VulnerabilityID,
        severity: normSeverity(v.Severity),
        target: r.Target,
        pkg: v.PkgName,
        pkgPath: v.PkgPath,
        installed: v.InstalledVersion,
        fixed: v.FixedVersion,
        title: v.Title,
        url: v.PrimaryURL
      })
    }
    for (const s of r.Secrets ?? []) {
      findings.push({
        kind: 'secret',
        id: s.RuleID,
        severity: normSeverity(s.Severity),
        target: `${r.Target}${s.StartLine ? `:${s.StartLine}` : ''}`,
        title: s.Title
      })
    }
  }
  for (const f of findings) counts[f.severity]++
  const order = (s: ScanSeverity): number => SEVERITIES.indexOf(s)
  findings.sort((a, b) => order(b.severity) - order(a.severity) || a.id.localeCompare(b.id))
  const failing = findings.filter((f) => gate.includes(f.severity))
  const os = report.Metadata?.OS
    ? `${report.Metadata.OS.Family ?? ''} ${report.Metadata.OS.Name ?? ''}`.trim()
    : undefined
  return { counts, findings, failing, ignoredUnfixed, os }
}

export function describeFinding(f: ScanFinding): string {
  if (f.kind === 'secret')
    return `${f.severity} secret ${f.id} in ${f.target}${f.title ? ` (${f.title})` : ''}`
  const fix = f.fixed ? `fixed in ${f.fixed}` : 'no fix yet'
  return `${f.severity} ${f.id} in ${f.pkg}@${f.installed ?? '?'} (${fix})${f.title ? `: ${f.title}` : ''}`
}
