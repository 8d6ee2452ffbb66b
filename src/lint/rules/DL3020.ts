import { copyInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { isArchive } from '../facts/instructions.js'

export function isUrl(path: string): boolean {
  return /^(https?|ftp):\/\//.test(path) || path.startsWith('git@')
}

export const DL3020: Rule = {
  code: 'DL3020',
  severity: 'error',
  message: 'Use COPY instead of ADD for files and folders',
  name: 'add-instead-of-copy',
  check: ({ df }) =>
    df.instructions
      .filter((i) => {
        if (i.keyword !== 'ADD') return false
        const c = copyInfo(i)
        return c.sources.some((s) => !isArchive(s) && !isUrl(s))
      })
      .map((i) => ({ line: i.line }))
}
