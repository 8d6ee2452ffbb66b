import { argDecls, envPairs } from '../model.js'
import type { Rule } from '../rule.js'

function references(value: string): Set<string> {
  const refs = new Set<string>()
  for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g))
    refs.add(m[1] ?? m[2])
  return refs
}

/**
 * A value that refers to a variable set earlier in the same ENV, unless an earlier ENV or ARG
 * (anywhere before, in any stage) already defined it. Single quotes do not protect, as in hadolint.
 */
export const DL3044: Rule = {
  code: 'DL3044',
  severity: 'error',
  message:
    'Do not refer to an environment variable within the same `ENV` statement where it is defined.',
  name: 'env-self-reference',
  check: ({ df }) => {
    const out: { line: number }[] = []
    const defined = new Set<string>()
    for (const i of df.instructions) {
      if (i.keyword === 'ARG') for (const a of argDecls(i)) defined.add(a.name)
      if (i.keyword !== 'ENV') continue
      const pairs = envPairs(i)
      const inThis = new Set<string>()
      let fired = false
      for (const p of pairs) {
        for (const r of references(p.raw)) if (inThis.has(r) && !defined.has(r)) fired = true
        inThis.add(p.key)
      }
      if (fired) out.push({ line: i.line })
      for (const p of pairs) defined.add(p.key)
    }
    return out
  }
}
