import { copyInfo } from '../model.js'
import type { Rule } from '../rule.js'

export const DL3067: Rule = {
  code: 'DL3067',
  severity: 'warning',
  message: 'Do not copy an entire filesystem from another stage',
  name: 'copy-whole-filesystem',
  check: ({ df }) =>
    df.instructions
      .filter((i) => {
        if (i.keyword !== 'COPY') return false
        const c = copyInfo(i)
        return (
          c.from !== undefined && c.dest === '/' && c.sources.length === 1 && c.sources[0] === '/'
        )
      })
      .map((i) => ({ line: i.line }))
}
