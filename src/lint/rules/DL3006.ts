import type { Rule } from '../rule.js'
import { splitReference } from '../../reference.js'

export const DL3006: Rule = {
  code: 'DL3006',
  severity: 'warning',
  message: 'Always tag the version of an image explicitly',
  name: 'untagged-image',
  check: ({ df }) =>
    df.stages
      .filter((s) => {
        if (s.image === 'scratch' || s.image.startsWith('$') || s.image === '') return false
        // earlier stage aliases, compared case-sensitively as hadolint does
        if (df.stages.some((o) => o.index < s.index && o.alias === s.image)) return false
        const ref = splitReference(s.image)
        return ref.tag === undefined && ref.digest === undefined
      })
      .map((s) => ({ line: s.from.line }))
}
