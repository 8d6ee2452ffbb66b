import { splitWords } from '../model.js'
import type { Rule } from '../rule.js'

function invalidPort(spec: string): boolean {
  const ports = spec.split('/')[0].split('-')
  return ports.some((p) => /^\d+$/.test(p) && Number(p) > 65535)
}

export const DL3011: Rule = {
  code: 'DL3011',
  severity: 'error',
  message: 'Valid UNIX ports range from 0 to 65535',
  name: 'port-range',
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'EXPOSE' && splitWords(i.args).some(invalidPort))
      .map((i) => ({ line: i.line }))
}
