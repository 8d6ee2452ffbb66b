import type { BuildContext } from './context.js'
import type { Dockerfile } from './model.js'
import type { RuleLevel } from './types.js'

/** Where a rule fired; `message` replaces the rule's default message when given. */
export interface Hit {
  line: number
  message?: string
}

export interface RuleContext {
  df: Dockerfile
  trustedRegistries: string[]
  /** undefined when the build context is unknown (pure lintSource without context) */
  context: BuildContext | undefined
}

/**
 * One rule: hadolint's shape (code, default severity, message, check). `onbuild` rules are
 * also run on the instructions wrapped by ONBUILD, as their own instruction stream, which is
 * how hadolint's `onbuild` combinator applies them.
 */
export interface Rule {
  code: string
  severity: RuleLevel
  message: string
  /** short kebab-case name (MLD rules) or hadolint's topic */
  name: string
  onbuild?: boolean
  check(ctx: RuleContext): Hit[]
}

export function hits(lines: Iterable<number>): Hit[] {
  return [...lines].map((line) => ({ line }))
}
