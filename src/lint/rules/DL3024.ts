import type { Rule } from '../rule.js'

export const DL3024: Rule = {
  code: 'DL3024',
  severity: 'error',
  message: 'FROM aliases (stage names) must be unique',
  name: 'duplicate-stage-alias',
  check: ({ df }) =>
    df.stages
      .filter(
        (s) =>
          s.alias !== undefined && df.stages.some((o) => o.index < s.index && o.alias === s.alias)
      )
      .map((s) => ({ line: s.from.line }))
}
