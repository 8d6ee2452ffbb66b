import type { Rule } from '../rule.js'

export const DL4000: Rule = {
  code: 'DL4000',
  severity: 'error',
  message: 'MAINTAINER is deprecated',
  name: 'maintainer',
  check: ({ df }) =>
    df.instructions.filter((i) => i.keyword === 'MAINTAINER').map((i) => ({ line: i.line }))
}
