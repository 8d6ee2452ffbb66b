import { copyInfo, type Stage } from '../model.js'
import type { Rule } from '../rule.js'
import { isAbsolutePath } from '../facts/instructions.js'

/** A relative COPY destination needs a WORKDIR in the stage or its in-file ancestors. */
export const DL3045: Rule = {
  code: 'DL3045',
  severity: 'warning',
  message: '`COPY` to a relative destination without `WORKDIR` set.',
  name: 'copy-relative-without-workdir',
  check: ({ df }) => {
    const out: { line: number }[] = []
    const withWorkdir = new Set<Stage | undefined>()
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') {
        if (i.stage?.parentExact && withWorkdir.has(i.stage.parentExact)) withWorkdir.add(i.stage)
      } else if (i.keyword === 'WORKDIR') withWorkdir.add(i.stage)
      else if (i.keyword === 'COPY' && !withWorkdir.has(i.stage)) {
        const dest = copyInfo(i).dest
        if (dest !== '' && !isAbsolutePath(dest)) out.push({ line: i.line })
      }
    }
    return out
  }
}
