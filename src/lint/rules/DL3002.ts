import { isRootUser, type Instr } from '../model.js'
import type { Rule } from '../rule.js'

/** Reports the last USER of every stage (and of the part before the first FROM) when it is root. */
export const DL3002: Rule = {
  code: 'DL3002',
  severity: 'warning',
  message: 'Last USER should not be root',
  name: 'last-user-root',
  check: ({ df }) => {
    const out: { line: number }[] = []
    let last: Instr | undefined
    const flush = (): void => {
      if (last && isRootUser(last.args)) out.push({ line: last.line })
      last = undefined
    }
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') flush()
      else if (i.keyword === 'USER') last = i
    }
    flush()
    return out
  }
}
