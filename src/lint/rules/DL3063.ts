import type { Rule } from '../rule.js'

export const DL3063: Rule = {
  code: 'DL3063',
  severity: 'warning',
  message: 'stage name should not be a reserved word',
  name: 'reserved-stage-name',
  check: ({ df }) =>
    df.stages
      .filter((s) => s.alias === 'scratch' || s.alias === 'context')
      .map((s) => ({ line: s.from.line }))
}
