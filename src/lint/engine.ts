/**
 * Runs the rules on one Dockerfile and applies configuration: severity overrides (which also
 * enable rules that are off by default), `ignored`, and inline pragmas. A file that cannot be
 * parsed yields one DL1000 finding and no rule runs, as in hadolint.
 */
import { DEFAULT_CONFIG, type LintConfig } from './config.js'
import type { BuildContext } from './context.js'
import { contextFits } from './facts/context.js'
import { runShellcheck, shellcheckScripts } from './shellcheck.js'
import { buildModel, onbuildView, type Dockerfile } from './model.js'
import { isIgnoredByPragma, parsePragmas } from './pragmas.js'
import type { Hit, Rule } from './rule.js'
import { RULES } from './rules/index.js'
import { SEVERITIES, type Finding, type RuleLevel } from './types.js'

export function levelFor(
  rule: { code: string; severity: RuleLevel },
  config: LintConfig
): RuleLevel {
  for (const s of SEVERITIES) if (config.override[s]?.includes(rule.code)) return s
  return rule.severity
}

function runRule(
  rule: Rule,
  df: Dockerfile,
  config: LintConfig,
  context: BuildContext | undefined
): Hit[] {
  const ctx = { df, trustedRegistries: config.trustedRegistries, context }
  const out = rule.check(ctx)
  if (rule.onbuild && df.onbuild.length > 0)
    out.push(...rule.check({ ...ctx, df: onbuildView(df) }))
  return out
}

export function lintModel(
  df: Dockerfile,
  config: LintConfig = DEFAULT_CONFIG,
  context?: BuildContext,
  rules: Rule[] = RULES,
  shellcheck?: string
): Finding[] {
  const file = df.file
  if (df.parsed.error) {
    const e = df.parsed.error
    if (config.ignored.includes('DL1000')) return []
    return [
      {
        file,
        rule: 'DL1000',
        severity: 'error',
        line: e.line,
        ...(e.column ? { column: e.column } : {}),
        message: e.message
      }
    ]
  }
  const ignored = new Set(config.ignored)
  const fromLines = df.stages.map((s) => s.from.line)
  const pragmas = config.disableIgnorePragma
    ? undefined
    : parsePragmas(df.parsed.comments, fromLines)
  const findings: Finding[] = []
  // a context the Dockerfile cannot be built from says nothing about the real one
  const fits = context && contextFits(df, context) ? context : undefined
  for (const rule of rules) {
    if (ignored.has(rule.code)) continue
    const level = levelFor(rule, config)
    if (level === 'ignore') continue
    let hitsOf: Hit[]
    try {
      hitsOf = runRule(rule, df, config, fits)
    } catch (e) {
      // A rule bug must not take the whole lint down; it is reported, not hidden.
      findings.push({
        file,
        rule: rule.code,
        severity: 'warning',
        line: 1,
        message: `internal error in rule ${rule.code}, please report it: ${(e as Error).message}`
      })
      continue
    }
    const seen = hitsOf.length > 1 ? new Set<string>() : undefined
    for (const h of hitsOf) {
      const message = h.message ?? rule.message
      if (seen) {
        const key = `${h.line}\u0000${message}`
        if (seen.has(key)) continue
        seen.add(key)
      }
      if (pragmas && isIgnoredByPragma(pragmas, rule.code, h.line)) continue
      findings.push({ file, rule: rule.code, severity: level, line: h.line, message })
    }
  }
  if (shellcheck) {
    // SC findings obey the same ignore lists, severity overrides and pragmas as rules
    for (const f of runShellcheck(shellcheck, shellcheckScripts(df))) {
      if (ignored.has(f.code)) continue
      const level = levelFor({ code: f.code, severity: f.severity }, config)
      if (level === 'ignore') continue
      if (pragmas && isIgnoredByPragma(pragmas, f.code, f.line)) continue
      findings.push({ file, rule: f.code, severity: level, line: f.line, message: f.message })
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule))
}

/** `shellcheck`: the binary to run on RUN scripts, or undefined to leave SC findings out. */
export function lintText(
  source: string,
  file: string,
  config: LintConfig,
  context?: BuildContext,
  shellcheck?: string
): Finding[] {
  return lintModel(buildModel(source, file), config, context, RULES, shellcheck)
}
