import { splitWords } from '../model.js'
import type { Rule } from '../rule.js'

/** WORKDIR must be absolute: `/`, a `$VAR`, or a Windows drive (`C:\`, `C:/`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('$') || /^[A-Za-z]:[\\/]/.test(path)
}

export const DL3000: Rule = {
  code: 'DL3000',
  severity: 'error',
  message: 'Use absolute WORKDIR',
  name: 'workdir-absolute',
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'WORKDIR' && !isAbsolutePath(splitWords(i.args)[0] ?? ''))
      .map((i) => ({ line: i.line }))
}
