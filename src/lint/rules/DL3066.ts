import { argDecls } from '../model.js'
import type { Rule } from '../rule.js'

/** USER must be numeric (the user part), unless it is exactly `${ARG}` of a declared ARG. */
export const DL3066: Rule = {
  code: 'DL3066',
  severity: 'info',
  message: 'Non-numeric user-id may not be resolvable by host system',
  name: 'non-numeric-user',
  check: ({ df }) => {
    const out: { line: number }[] = []
    const args = new Set<string>()
    for (const i of df.instructions) {
      if (i.keyword === 'ARG') for (const a of argDecls(i)) args.add(a.name)
      if (i.keyword !== 'USER') continue
      const user = i.args.trim().split(':')[0]
      if (/^\d+$/.test(user)) continue
      const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(user)
      if (ref && args.has(ref[1])) continue
      out.push({ line: i.line })
    }
    return out
  }
}
