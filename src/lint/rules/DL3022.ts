import { copyInfo } from '../model.js'
import type { Rule } from '../rule.js'

export const DL3022: Rule = {
  code: 'DL3022',
  severity: 'warning',
  message: '`COPY --from` should reference a previously defined `FROM` alias',
  name: 'copy-from-unknown-stage',
  check: ({ df }) => {
    const out: { line: number }[] = []
    const aliases = new Set<string>()
    let stageCount = 0
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') {
        const alias = i.stage?.alias
        if (alias !== undefined) aliases.add(alias)
        stageCount++
      } else if (i.keyword === 'COPY') {
        const from = copyInfo(i).from
        if (from === undefined || from.includes(':') || aliases.has(from)) continue
        if (/^\d+$/.test(from) && Number(from) < stageCount - 1) continue
        out.push({ line: i.line })
      }
    }
    return out
  }
}
