/**
 * `ml-docker lint [--format text|json|sarif] [--config FILE] [--context DIR] <Dockerfile>...`
 * plus hadolint's flags (`--ignore`, `--failure-threshold`/`-t`, `--trusted-registry`,
 * `--error/--warning/--info/--style RULE`, `--no-fail`).
 * Exit codes: 0 no finding at or above the threshold, 1 findings at or above it,
 * 2 usage or user error (unreadable file, bad config).
 */
import { EXIT_GATE, EXIT_OK, guarded, parseCommand, type CommandSpec } from '../args.js'
import { UserError } from '../errors.js'
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

const LINT_SPEC: CommandSpec = {
  command: 'lint',
  maxPositionals: Infinity,
  options: {
    format: { kind: 'string', short: 'f' },
    config: { kind: 'string', short: 'c' },
    context: { kind: 'string' },
    'no-context': { kind: 'flag' },
    ignore: { kind: 'string', multiple: true },
    'failure-threshold': { kind: 'string', short: 't' },
    'trusted-registry': { kind: 'string', multiple: true },
    error: { kind: 'string', multiple: true },
    warning: { kind: 'string', multiple: true },
    info: { kind: 'string', multiple: true },
    style: { kind: 'string', multiple: true },
    'no-fail': { kind: 'flag' },
    help: { kind: 'flag', short: 'h' }
  }
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info', 'style']

export function parseLintArgs(argv: string[]): {
  files: string[]
  format: 'text' | 'json' | 'sarif'
  config?: string
  context?: string
  audit: boolean
  overrides: LintOverrides
  help: boolean
} {
  const p = parseCommand(LINT_SPEC, argv)
  const last = (name: string): string | undefined => p.strings[name]?.at(-1)
  /** Repeatable and comma-separated: `--ignore A,B --ignore C`. */
  const list = (name: string): string[] =>
    (p.strings[name] ?? []).flatMap((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    )
  const overrides: LintOverrides = {}
  const rawFormat = last('format') ?? 'text'
  if (!['text', 'json', 'sarif', 'tty'].includes(rawFormat))
    throw new UserError(`--format must be text, json or sarif, got "${rawFormat}"`)
  const format = rawFormat === 'tty' ? 'text' : (rawFormat as 'text' | 'json' | 'sarif')
  const threshold = last('failure-threshold')?.toLowerCase()
  if (threshold !== undefined) {
    if (!['error', 'warning', 'info', 'style', 'none', 'ignore'].includes(threshold))
      throw new UserError(
        `--failure-threshold must be error, warning, info, style or none, got "${threshold}"`
      )
    overrides.failureThreshold = (threshold === 'ignore' ? 'none' : threshold) as Threshold
  }
  if (p.strings.ignore) overrides.ignored = list('ignore')
  if (p.strings['trusted-registry']) overrides.trustedRegistries = list('trusted-registry')
  for (const level of SEVERITIES) {
    if (p.strings[level]) overrides.override = { ...overrides.override, [level]: list(level) }
  }
  if (p.flags.has('no-fail')) overrides.noFail = true
  return {
    files: p.positionals,
    format,
    config: last('config'),
    context: last('context'),
    audit: !p.flags.has('no-context'),
    overrides,
    help: p.flags.has('help')
  }
}

/** `ml-docker lint`. Exit code 0, 1 (findings at or above the threshold) or 2 (usage, user error). */
export async function lintCommand(
  argv: string[],
  rawIo: { stdout: (s: string) => void; stderr: (s: string) => void }
): Promise<number> {
  // The CLI's writers end every message with a newline themselves.
  const io = {
    stdout: (s: string) => rawIo.stdout(s.replace(/\n+$/, '')),
    stderr: (s: string) => rawIo.stderr(s.replace(/\n+$/, ''))
  }
  return guarded(io, async () => {
    const args = parseLintArgs(argv)
    if (args.help) {
      io.stdout(LINT_USAGE)
      return EXIT_OK
    }
    if (args.files.length === 0)
      throw new UserError('no Dockerfile given; run "ml-docker lint --help" for the options')
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
    return report.failed ? EXIT_GATE : EXIT_OK
  })
}
