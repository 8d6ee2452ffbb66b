/** SARIF 2.1.0 for GitHub code scanning: one run, every rule described, one result per finding. */
import { relative, isAbsolute } from 'node:path'
import { RULES_BY_CODE } from './rules/index.js'
import type { LintReport, Severity } from './types.js'

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  style: 'note'
}
const SECURITY = new Set([
  'DL3002',
  'DL3004',
  'DL3026',
  'DL3064',
  'MLD004',
  'MLD005',
  'MLD012',
  'MLD020',
  'MLD023'
])

function helpUri(code: string): string {
  if (code.startsWith('DL')) return `https://github.com/hadolint/hadolint/wiki/${code}`
  if (/^SC\d+$/.test(code)) return 'docs/lint.md#shellcheck-sc-findings'
  return `docs/lint.md#${code.toLowerCase()}`
}

function artifactUri(file: string): string {
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file
  return rel.split('\\').join('/').replace(/^\.\//, '')
}

export function toSarif(report: LintReport): object {
  const codes = [...new Set(report.findings.map((f) => f.rule))].sort()
  const ruleIndex = new Map(codes.map((c, i) => [c, i]))
  const rules = codes.map((code) => {
    const rule = RULES_BY_CODE.get(code)
    const sc = /^SC\d+$/.test(code)
    const text =
      rule?.message ??
      (code === 'DL1000'
        ? 'The Dockerfile cannot be parsed'
        : sc
          ? `ShellCheck ${code} in a RUN script`
          : code)
    const sev = report.findings.find((f) => f.rule === code)!.severity
    return {
      id: code,
      name: rule?.name ?? (sc ? 'shellcheck' : 'parse-error'),
      shortDescription: { text },
      fullDescription: { text },
      helpUri: helpUri(code),
      defaultConfiguration: { level: LEVEL[sev] },
      properties: { tags: SECURITY.has(code) ? ['security', 'dockerfile'] : ['dockerfile'] }
    }
  })
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule)!,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(f.file) },
          region: {
            startLine: Math.max(1, f.line),
            ...(f.column ? { startColumn: f.column } : {}),
            ...(f.endLine ? { endLine: f.endLine } : {})
          }
        }
      }
    ],
    properties: { severity: f.severity }
  }))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ml-docker-lint',
            informationUri: 'https://github.com/hadolint/hadolint',
            rules
          }
        },
        results
      }
    ]
  }
}
