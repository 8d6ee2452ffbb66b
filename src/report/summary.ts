import type { PipelineResult } from '../pipeline.js'
import { scanMarkdown } from '../scan/summary.js'
import { smokeMarkdown, smokeText } from '../smoke/summary.js'

const ICON: Record<string, string> = { passed: '✅', failed: '❌', skipped: '⏭️' }

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** The job summary: one table of stages, then what was tagged, found and pushed. */
export function summaryMarkdown(r: PipelineResult): string {
  const lines: string[] = []
  lines.push(
    `## ml-docker-action ${r.ok ? '✅ passed' : `❌ failed at ${r.failedStage ?? 'setup'}`}`,
    ''
  )
  lines.push('| stage | result | time | detail |', '|---|---|---|---|')
  for (const s of r.stages) {
    lines.push(
      `| ${s.name} | ${ICON[s.status]} ${s.status} | ${s.seconds ? `${s.seconds.toFixed(1)}s` : ''} | ${esc(s.detail)} |`
    )
  }
  if (r.error) lines.push('', `**Error:** ${esc(r.error)}`)
  if (r.meta?.tags.length) {
    lines.push('', `### Tags${r.push ? ' (pushed)' : ''}`, '')
    for (const t of r.meta.tags) lines.push(`- \`${t}\``)
    if (r.push?.digest) lines.push('', `Digest: \`${r.push.digest}\``)
    for (const p of platformLines(r)) lines.push(`- ${p.platform}: \`${p.digest}\``)
  }
  if (r.smoke) lines.push(...smokeMarkdown(r.smoke))
  if (r.lint && r.lint.findings.length) {
    lines.push(
      '',
      '### Lint findings',
      '',
      '| rule | severity | line | message |',
      '|---|---|---|---|'
    )
    for (const f of r.lint.findings.slice(0, 50)) {
      lines.push(`| ${f.rule} | ${f.severity} | ${f.line} | ${esc(f.message)} |`)
    }
    if (r.lint.findings.length > 50) lines.push(`| … | | | ${r.lint.findings.length - 50} more |`)
  }
  if (r.scan) lines.push(...scanMarkdown(r.scan))
  return lines.join('\n') + '\n'
}

/** The same, for a terminal. */
export function summaryText(r: PipelineResult): string {
  const rows = r.stages.map((s) => [
    s.name,
    s.status,
    s.seconds ? `${s.seconds.toFixed(1)}s` : '',
    s.detail
  ])
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 5))
  const out = ['', `ml-docker: ${r.ok ? 'passed' : `FAILED at ${r.failedStage ?? 'setup'}`}`]
  for (const row of rows)
    out.push(
      `  ${row[0].padEnd(w[0])}  ${row[1].padEnd(w[1])}  ${row[2].padStart(w[2])}  ${row[3]}`
    )
  if (r.smoke) out.push('', smokeText(r.smoke))
  if (r.error) out.push('', `error: ${r.error}`)
  if (r.push) out.push('', `pushed: ${r.push.pushed.join(', ')}`, `digest: ${r.push.digest}`)
  for (const p of platformLines(r)) out.push(`  ${p.platform}: ${p.digest}`)
  out.push(`reports: ${r.reportDir}`)
  return out.join('\n')
}

/** Each platform's manifest digest, for a pushed multi-platform index (nothing otherwise). */
function platformLines(r: PipelineResult): { platform: string; digest: string }[] {
  const platforms = r.build?.platforms ?? []
  return r.push && platforms.length > 1 ? platforms : []
}
