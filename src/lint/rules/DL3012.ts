import type { Rule } from '../rule.js'

export const DL3012: Rule = {
  code: 'DL3012',
  severity: 'error',
  message: 'Multiple `HEALTHCHECK` instructions',
  name: 'multiple-healthchecks',
  check: ({ df }) => {
    const out: { line: number }[] = []
    let seen = false
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') seen = false
      else if (i.keyword === 'HEALTHCHECK') {
        if (seen) out.push({ line: i.line })
        seen = true
      }
    }
    return out
  }
}
