/** GitHub annotations for the findings that were not ignored, at their true severity. */
import type { LintReport, Severity } from './types.js'

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  file: string
  line: number
  title: string
  message: string
}

const LEVEL: Record<Severity, Annotation['level']> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
  style: 'notice'
}

export function toAnnotations(report: LintReport): Annotation[] {
  return report.findings.map((f) => ({
    level: LEVEL[f.severity],
    file: f.file,
    line: Math.max(1, f.line),
    title: `${f.rule} (${f.severity})`,
    message: f.message
  }))
}
