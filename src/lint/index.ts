/**
 * Dockerfile linter: hadolint-compatible DL rules, the MLD catalog for ML/Python service
 * images, and a build-context audit. See docs/lint.md.
 */
export type {
  ContextAudit,
  FileReport,
  Finding,
  LintOptions,
  LintOverrides,
  LintReport,
  Severity,
  Threshold,
  VirtualContext
} from './types.js'
export { SEVERITIES } from './types.js'
export {
  ACTION_DEFAULT_THRESHOLD,
  lint,
  lintSource,
  countBySeverity,
  exceedsThreshold
} from './lint.js'
export { toSarif } from './sarif.js'
export { formatText } from './format.js'
export { toAnnotations, type Annotation } from './annotations.js'
export { lintCommand, LINT_USAGE } from './cli.js'
export { RULES } from './rules/index.js'
export { findShellcheck } from './shellcheck.js'
