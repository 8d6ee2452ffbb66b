/** lint() over files and lintSource() over text: configuration, context and threshold. */
import { resolve } from 'node:path'
import { readFile } from 'node:fs/promises'
import { UserError } from '../errors.js'
import { DEFAULT_CONFIG, mergeConfig, resolveConfig, type LintConfig } from './config.js'
import { buildContext, contextRootFor, readContext } from './context.js'
import { lintText } from './engine.js'
import { findShellcheck } from './shellcheck.js'
import {
  severityRank,
  type FileReport,
  type Finding,
  type LintOptions,
  type LintOverrides,
  type LintReport,
  type Severity,
  type Threshold,
  type VirtualContext
} from './types.js'

/**
 * Lints Dockerfile text without touching the filesystem. `context` describes the build context
 * (files and .dockerignore); without it the rules that need the context stay silent.
 */
export function lintSource(
  source: string,
  opts: {
    file?: string
    overrides?: LintOverrides
    context?: VirtualContext
    /** a ShellCheck binary to run on RUN scripts (SC findings); none by default */
    shellcheck?: string
  } = {}
): Finding[] {
  const config = mergeConfig(DEFAULT_CONFIG, opts.overrides)
  return lintText(
    source,
    opts.file ?? 'Dockerfile',
    config,
    opts.context ? buildContext(opts.context) : undefined,
    opts.shellcheck
  )
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = { error: 0, warning: 0, info: 0, style: 0 }
  for (const f of findings) counts[f.severity]++
  return counts
}

/** hadolint's exit rule: fail when a finding is at least as severe as the threshold. */
export function exceedsThreshold(findings: Finding[], threshold: Threshold): boolean {
  if (threshold === 'none') return false
  const min = severityRank(threshold)
  return findings.some((f) => severityRank(f.severity) >= min)
}

async function lintOne(opts: LintOptions): Promise<{ report: FileReport; config: LintConfig }> {
  const path = resolve(opts.dockerfile)
  let source: string
  try {
    source = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UserError(
      code === 'ENOENT'
        ? `Dockerfile not found: ${opts.dockerfile}`
        : `cannot read Dockerfile ${opts.dockerfile}: ${code ?? (e as Error).message}`
    )
  }
  const config = resolveConfig({
    configFile: opts.configFile,
    overrides: opts.overrides,
    defaultThreshold: opts.defaultThreshold
  })
  const shellcheck = opts.shellcheck === false ? undefined : (opts.shellcheck ?? findShellcheck())
  let report: FileReport
  if (opts.auditContext === false) {
    report = {
      file: opts.dockerfile,
      findings: lintText(source, opts.dockerfile, config, undefined, shellcheck)
    }
  } else {
    const root = contextRootFor(path, opts.context)
    const { context, audit } = await readContext(root, path)
    report = {
      file: opts.dockerfile,
      findings: lintText(source, opts.dockerfile, config, buildContext(context), shellcheck),
      context: audit
    }
  }
  return { report, config }
}

/**
 * The action's failure threshold when the `lint-failure-threshold` input is not set and the
 * configuration (`.hadolint.yaml` `failure-threshold`, HADOLINT_FAILURE_THRESHOLD) names none.
 */
export const ACTION_DEFAULT_THRESHOLD: Threshold = 'warning'

/**
 * Lints one or several Dockerfiles (each with its own context, default: its directory).
 * The threshold and noFail of the first file's configuration decide `failed`.
 */
export async function lint(options: LintOptions | LintOptions[]): Promise<LintReport> {
  const list = Array.isArray(options) ? options : [options]
  const results = await Promise.all(list.map(lintOne))
  const files = results.map((r) => r.report)
  const findings = files.flatMap((f) => f.findings)
  const config = results[0]?.config ?? mergeConfig(DEFAULT_CONFIG)
  const threshold = config.failureThreshold
  const failed =
    !config.noFail &&
    results.some(
      (r) => !r.config.noFail && exceedsThreshold(r.report.findings, r.config.failureThreshold)
    )
  return { files, findings, counts: countBySeverity(findings), threshold, failed }
}
