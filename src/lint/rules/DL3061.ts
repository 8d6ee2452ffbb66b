import type { Rule } from '../rule.js'

export const DL3061: Rule = {
  code: 'DL3061',
  severity: 'error',
  message: 'Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.',
  name: 'instruction-before-from',
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.stage === undefined && i.keyword !== 'FROM' && i.keyword !== 'ARG')
      .map((i) => ({ line: i.line }))
}
