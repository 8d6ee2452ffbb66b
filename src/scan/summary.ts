import type { ScanSeverity } from '../config.js'
import { describeRepository, formatAge } from './db.js'
import type { ScanResult } from './index.js'
import { describePackageFix } from './policy.js'
import { describeFinding, type ScanFinding } from './report.js'

/** How the scan reports itself: the stage detail, the gate message, the outputs and the job summary. */

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

export function describeDb(s: ScanResult): string {
  const db = s.db
  const from = db.repository !== undefined ? ` from ${describeRepository(db.repository)}` : ''
  const built = db.updatedAt
    ? `built ${db.updatedAt.slice(0, 16).replace('T', ' ')} UTC`
    : 'build time unknown'
  const age = db.ageHours !== undefined ? `, ${formatAge(db.ageHours)} old` : ''
  const how = {
    downloaded: `downloaded${from}`,
    cached: `cached${from || ' (pre-seeded)'}${db.restoredKey ? ` (Actions cache ${db.restoredKey})` : ''}`,
    stale: `cached${from}: every repository failed`,
    offline: 'pre-seeded (scan-skip-db-update)'
  }[db.source]
  return `${how}, ${built}${age}`
}

export function scanDetail(s: ScanResult): string {
  const c = s.counts
  let d =
    `${c.CRITICAL} critical, ${c.HIGH} high, ${c.MEDIUM} medium, ${c.LOW + c.UNKNOWN} low` +
    (s.ignoredUnfixed ? ` (${s.ignoredUnfixed} unfixed ignored)` : '')
  if (s.baseline?.found)
    d += `; vs baseline: ${s.baseline.newCount} new, ${s.baseline.fixedCount} fixed, ${s.baseline.unchangedCount} unchanged`
  return `${d}; DB ${s.db.source}`
}

export function scanFailure(s: ScanResult, severities: ScanSeverity[]): string {
  const what =
    s.failOn === 'new' && s.baseline?.found ? 'new findings (absent from the baseline)' : 'findings'
  return `the scan found ${s.failing.length} ${what} of severity ${severities.join('/')}: ${scanDetail(s)}`
}

export function scanOutputs(s: ScanResult): Record<string, string> {
  return {
    'scan-critical': String(s.counts.CRITICAL),
    'scan-high': String(s.counts.HIGH),
    'scan-medium': String(s.counts.MEDIUM),
    'scan-low': String(s.counts.LOW + s.counts.UNKNOWN),
    'scan-report': s.reportPath,
    'scan-sarif': s.sarifPath,
    'scan-sbom': s.sbomPath,
    'scan-new': s.baseline?.found ? String(s.baseline.newCount) : ''
  }
}

function findingLine(f: ScanFinding, fresh?: Set<ScanFinding>): string {
  return `- ${fresh?.has(f) ? '**new** ' : ''}${esc(describeFinding(f))}`
}

/** The scan section of the job summary. */
export function scanMarkdown(s: ScanResult): string[] {
  const lines = ['', '### Scan', '']
  lines.push(`- Vulnerability DB: ${esc(describeDb(s))}`)
  if (s.db.failures.length) {
    for (const f of s.db.failures)
      lines.push(
        `  - ${esc(describeRepository(f.repository))} failed after ${f.attempts} ${f.attempts === 1 ? 'try' : 'tries'}: ${esc(f.error)}`
      )
  }
  if (s.ignoreFile) {
    const i = s.ignoreFile
    lines.push(
      `- Ignore file: \`${i.path}\`${i.origin === 'default' ? ' (found by default)' : ''}, ${i.entries} entries` +
        (i.expired.length
          ? `, ${i.expired.length} expired (${i.expired.map((e) => `${e.id} on ${e.expiredAt}`).join(', ')})`
          : '') +
        `; ${s.suppressed.ignored} findings ignored`
    )
  }
  if (s.vex.length)
    lines.push(
      `- VEX: ${s.vex.map((v) => `\`${v}\``).join(', ')}; ${s.suppressed.vex} findings not affected`
    )
  const b = s.baseline
  if (b) {
    lines.push(
      b.found
        ? `- Baseline \`${b.ref}\`${b.origin === 'default' ? ' (first computed tag)' : ''}: ${b.newCount} new, ${b.fixedCount} fixed, ${b.unchangedCount} unchanged` +
            (s.failOn === 'new' ? '; only new findings fail' : '')
        : `- Baseline \`${b.ref}\`: ${esc(b.note ?? 'not found')}` +
            (s.failOn === 'new' ? '; every finding counts (as with scan-fail-on: all)' : '')
    )
  }
  const fixable = s.packages.filter((p) => p.fixTo)
  if (fixable.length) {
    lines.push('', '**What to upgrade**', '')
    for (const p of fixable.slice(0, 20)) lines.push(`- ${esc(describePackageFix(p))}`)
    if (fixable.length > 20) lines.push(`- … ${fixable.length - 20} more packages`)
  }
  const unfixable = s.packages.filter((p) => !p.fixTo)
  if (unfixable.length)
    lines.push('', `No fix yet: ${unfixable.map((p) => `${esc(p.pkg)} (${p.unfixed})`).join(', ')}`)
  if (s.findings.length) {
    const fresh = b?.comparison ? new Set(b.comparison.newFindings) : undefined
    lines.push('', '**Findings**', '')
    for (const f of s.findings.slice(0, 30)) lines.push(findingLine(f, fresh))
    if (s.findings.length > 30)
      lines.push(`- … ${s.findings.length - 30} more in \`${s.reportPath}\``)
  }
  if (b?.comparison?.fixed.length) {
    lines.push('', `**Fixed since the baseline**`, '')
    for (const f of b.comparison.fixed.slice(0, 20)) lines.push(`- ${esc(describeFinding(f))}`)
  }
  return lines
}
