import type { Rule } from '../rule.js'

export function repeated(keyword: string) {
  return ({ df }: { df: import('../model.js').Dockerfile }): { line: number }[] => {
    const out: { line: number }[] = []
    let seen = false
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') seen = false
      else if (i.keyword === keyword) {
        if (seen) out.push({ line: i.line })
        seen = true
      }
    }
    return out
  }
}

export const DL4003: Rule = {
  code: 'DL4003',
  severity: 'warning',
  message:
    'Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect',
  name: 'multiple-cmd',
  check: repeated('CMD')
}
