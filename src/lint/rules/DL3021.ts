import { copyInfo } from '../model.js'
import type { Rule } from '../rule.js'

export const DL3021: Rule = {
  code: 'DL3021',
  severity: 'error',
  message: 'COPY with more than 2 arguments requires the last argument to end with /',
  name: 'copy-multiple-sources-dest',
  check: ({ df }) =>
    df.instructions
      .filter((i) => {
        if (i.keyword !== 'COPY') return false
        const c = copyInfo(i)
        return c.sources.length + c.heredocSources.size > 1 && !c.dest.endsWith('/')
      })
      .map((i) => ({ line: i.line }))
}
