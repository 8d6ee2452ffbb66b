import type { Stage } from '../model.js'
import type { Rule } from '../rule.js'

/**
 * Off by default. A stage is fine when it, an in-file ancestor, or a stage built FROM it
 * (directly or not) has a HEALTHCHECK (`NONE` included); reported on the FROM line.
 */
export const DL3057: Rule = {
  code: 'DL3057',
  severity: 'ignore',
  message: '`HEALTHCHECK` instruction missing.',
  name: 'healthcheck-missing',
  check: ({ df }) => {
    const has = new Set(
      df.stages.filter((s) => s.instructions.some((i) => i.keyword === 'HEALTHCHECK'))
    )
    const ancestors = (s: Stage): Stage[] => {
      const out: Stage[] = []
      for (let p = s.parentExact; p && !out.includes(p); p = p.parentExact) out.push(p)
      return out
    }
    const covered = new Set<Stage>()
    for (const s of df.stages) {
      const chain = [s, ...ancestors(s)]
      if (chain.some((c) => has.has(c))) for (const c of chain) covered.add(c)
    }
    return df.stages.filter((s) => !covered.has(s)).map((s) => ({ line: s.from.line }))
  }
}
