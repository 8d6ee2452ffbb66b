/** Plain-text report: hadolint's `file:line rule severity: message` lines, then context and totals. */
import type { LintReport } from './types.js'

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} B`
}

export function formatText(report: LintReport): string {
  const out: string[] = []
  for (const file of report.files) {
    for (const f of file.findings)
      out.push(`${f.file}:${f.line} ${f.rule} ${f.severity}: ${f.message}`)
    if (file.context) {
      const c = file.context
      out.push(
        `${file.file}: build context ${c.root}: ${c.fileCount} files, ${size(c.totalBytes)} sent` +
          (c.dockerignore ? ` (ignore file: ${c.dockerignore})` : ' (no .dockerignore)')
      )
      for (const l of c.largest.slice(0, 5)) out.push(`  ${size(l.bytes).padStart(10)}  ${l.path}`)
    }
  }
  const n = report.counts
  out.push(
    `${report.findings.length} finding(s): ${n.error} error, ${n.warning} warning, ${n.info} info, ${n.style} style` +
      ` (failure threshold: ${report.threshold}) -> ${report.failed ? 'FAILED' : 'passed'}`
  )
  return out.join('\n') + '\n'
}
