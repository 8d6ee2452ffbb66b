/** hadolint's severity levels. */
export type Severity = 'error' | 'warning' | 'info' | 'style'
/** A rule's default level may also be `ignore`: computed, then dropped unless overridden. */
export type RuleLevel = Severity | 'ignore'
export type Threshold = Severity | 'none'

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'style']

/** Higher is more severe. */
export function severityRank(s: RuleLevel | 'none'): number {
  switch (s) {
    case 'error':
      return 4
    case 'warning':
      return 3
    case 'info':
      return 2
    case 'style':
      return 1
    default:
      return 0
  }
}

export interface Finding {
  file: string
  rule: string
  severity: Severity
  line: number
  column?: number
  endLine?: number
  message: string
}

export interface ContextAudit {
  root: string
  fileCount: number
  totalBytes: number
  largest: { path: string; bytes: number }[]
  dockerignore?: string
}

export interface LintOverrides {
  ignored?: string[]
  failureThreshold?: Threshold
  trustedRegistries?: string[]
  override?: Partial<Record<Severity, string[]>>
  noFail?: boolean
}

/**
 * A build context described without a filesystem: what `lint()` reads from disk, and what
 * tests and benchmarks pass to `lintSource`.
 */
export interface VirtualContext {
  /** files relative to the context root, `/`-separated */
  files: { path: string; size: number; content?: string }[]
  /** text of the effective .dockerignore (undefined: none) */
  dockerignore?: string
  /** name of the ignore file used (`.dockerignore` or `<Dockerfile>.dockerignore`) */
  dockerignoreName?: string
}

export interface LintOptions {
  dockerfile: string
  context?: string
  configFile?: string
  overrides?: LintOverrides
  auditContext?: boolean
  /**
   * The failure threshold when neither overrides, the environment nor the configuration file set
   * one (hadolint's own default, `info`, when not given).
   */
  defaultThreshold?: Threshold
  /**
   * ShellCheck on RUN scripts, as hadolint does: a binary path, `false` to leave SC findings out,
   * or (default) `shellcheck` from PATH when there is one.
   */
  shellcheck?: string | false
}

export interface FileReport {
  file: string
  findings: Finding[]
  context?: ContextAudit
}

export interface LintReport {
  files: FileReport[]
  findings: Finding[]
  counts: Record<Severity, number>
  threshold: Threshold
  failed: boolean
}
