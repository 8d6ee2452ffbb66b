import { argDecls } from '../model.js'
import type { Rule } from '../rule.js'

/**
 * USER must be numeric (the user part), unless it mentions a declared ARG as `$NAME` or `${NAME}`
 * anywhere in the value (quoted or not, in the group too: `app:$GID`): hadolint trusts any ARG, whatever its default, and
 * keeps every ARG declared earlier in the file, across stages.
 */
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
      const spec = i.args.trimStart()
      if (/^\d*$/.test(spec.split(':')[0])) continue
      // the whole USER value is searched, group included, as hadolint does
      if ([...args].some((a) => spec.includes(`\${${a}}`) || spec.includes(`$${a}`))) continue
      out.push({ line: i.line })
    }
    return out
  }
}
