import { parseJsonArray } from '../dockerfile.js'
import type { Rule } from '../rule.js'

function shellForm(keyword: string, args: string): boolean {
  if (keyword === 'CMD' || keyword === 'ENTRYPOINT') return parseJsonArray(args) === undefined
  if (keyword === 'HEALTHCHECK') {
    const m = /^CMD\b[ \t]*/i.exec(args)
    return m !== null && parseJsonArray(args.slice(m[0].length)) === undefined
  }
  return false
}

export const DL3025: Rule = {
  code: 'DL3025',
  severity: 'warning',
  message: 'Use arguments JSON notation for CMD and ENTRYPOINT arguments',
  name: 'json-notation',
  check: ({ df }) =>
    df.instructions.filter((i) => shellForm(i.keyword, i.args)).map((i) => ({ line: i.line }))
}
