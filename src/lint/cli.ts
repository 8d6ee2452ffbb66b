/**
 * `ml-docker lint [--format text|json|sarif] [--config FILE] [--context DIR] <Dockerfile>...`
 * plus hadolint's flags (`--ignore`, `--failure-threshold`/`-t`, `--trusted-registry`,
 * `--error/--warning/--info/--style RULE`, `--no-fail`).
 * Exit codes: 0 no finding at or above the threshold, 1 findings at or above it,
 * 2 usage or user error (unreadable file, bad config).
 */
import { isUserError } from '../errors.js'
import { lint } from './lint.js'
import { toSarif } from './sarif.js'
import { formatText } from './format.js'
import type { LintOverrides, Severity, Threshold } from './types.js'

export const LINT_USAGE = `usage: ml-docker lint [options] <Dockerfile>...
  --format text|json|sarif     output format (default: text)
  --config FILE                .hadolint.yaml to use (default: hadolint's discovery)
  --context DIR                build context for every file (default: each file's directory)
  --no-context                 do not read the build context
  --ignore RULE                ignore a rule (repeatable, or comma-separated)
  -t, --failure-threshold LVL  error|warning|info|style|none (default: info)
  --trusted-registry REG       allowed registry for DL3026 (repeatable)
  --error|--warning|--info|--style RULE   override a rule's severity (enables off-by-default rules)
  --no-fail                    always exit 0 unless the command itself fails
`

class UsageError extends Error {}

const SEVERITY_FLAGS = new Set(['--error', '--warning', '--info', '--style'])

export function parseLintArgs(argv: string[]): {
  files: string[]
  format: 'text' | 'json' | 'sarif'
  config?: string
  context?: string
  audit: boolean
  overrides: LintOverrides
  help: boolean
} {
  const files: string[] = []
  const overrides: LintOverrides = {}
  let format: 'text' | 'json' | 'sarif' = 'text'
  let config: string | undefined
  let context: string | undefined
  let audit = true
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1
    const flag = eq > 0 ? raw.slice(0, eq) : raw
    const value = (): string => {
      if (eq > 0) return raw.slice(eq + 1)
      const v = argv[++i]
      if (v === undefined) throw new UsageError(`${flag} needs a value`)
      return v
    }
    const list = (v: string): string[] =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    if (flag === '-h' || flag === '--help') help = true
    else if (flag === '--format' || flag === '-f') {
      const v = value()
      if (v !== 'text' && v !== 'json' && v !== 'sarif' && v !== 'tty')
        throw new UsageError(`--format must be text, json or sarif (got ${v})`)
      format = v === 'tty' ? 'text' : v
    } else if (flag === '--config' || flag === '-c') config = value()
    else if (flag === '--context') context = value()
    else if (flag === '--no-context') audit = false
    else if (flag === '--ignore')
      overrides.ignored = [...(overrides.ignored ?? []), ...list(value())]
    else if (flag === '--failure-threshold' || flag === '-t') {
      const v = value().toLowerCase()
      if (!['error', 'warning', 'info', 'style', 'none', 'ignore'].includes(v))
        throw new UsageError(
          `--failure-threshold must be error, warning, info, style or none (got ${v})`
        )
      overrides.failureThreshold = (v === 'ignore' ? 'none' : v) as Threshold
    } else if (flag === '--trusted-registry')
      overrides.trustedRegistries = [...(overrides.trustedRegistries ?? []), ...list(value())]
    else if (SEVERITY_FLAGS.has(flag)) {
      const level = flag.slice(2) as Severity
      overrides.override = {
        ...overrides.override,
        [level]: [...(overrides.override?.[level] ?? []), ...list(value())]
      }
    } else if (flag === '--no-fail') overrides.noFail = true
    else if (flag === '--') {
      files.push(...argv.slice(i + 1))
      i = argv.length
    } else if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`)
    else files.push(raw)
  }
  return { files, format, config, context, audit, overrides, help }
}

export async function lintCommand(
  argv: string[],
  rawIo: { stdout: (s: string) => void; stderr: (s: string) => void }
): Promise<number> {
  // The CLI's writers end every message with a newline themselves.
  const io = {
    stdout: (s: string) => rawIo.stdout(s.replace(/\n+$/, '')),
    stderr: (s: string) => rawIo.stderr(s.replace(/\n+$/, ''))
  }
  let args: ReturnType<typeof parseLintArgs>
  try {
    args = parseLintArgs(argv)
  } catch (e) {
    io.stderr(`ml-docker lint: ${(e as Error).message}\n${LINT_USAGE}`)
    return 2
  }
  if (args.help) {
    io.stdout(LINT_USAGE)
    return 0
  }
  if (args.files.length === 0) {
    io.stderr(`ml-docker lint: no Dockerfile given\n${LINT_USAGE}`)
    return 2
  }
  try {
    const report = await lint(
      args.files.map((dockerfile) => ({
        dockerfile,
        context: args.context,
        configFile: args.config,
        overrides: args.overrides,
        auditContext: args.audit
      }))
    )
    if (args.format === 'json') {
      const findings = report.findings.map((f) => ({
        file: f.file,
        rule: f.rule,
        severity: f.severity,
        line: f.line,
        message: f.message
      }))
      io.stdout(JSON.stringify({ findings }) + '\n')
    } else if (args.format === 'sarif') io.stdout(JSON.stringify(toSarif(report), null, 2) + '\n')
    else io.stdout(formatText(report))
    return report.failed ? 1 : 0
  } catch (e) {
    if (isUserError(e)) {
      io.stderr(`ml-docker lint: ${e.message}\n`)
      return 2
    }
    throw e
  }
}
