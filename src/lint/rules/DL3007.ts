import type { Rule } from '../rule.js'
import { splitReference } from '../../reference.js'

export const DL3007: Rule = {
  code: 'DL3007',
  severity: 'warning',
  message:
    'Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag',
  name: 'latest-tag',
  check: ({ df }) =>
    df.stages
      .filter((s) => {
        const ref = splitReference(s.image)
        return ref.tag === 'latest' && ref.digest === undefined
      })
      .map((s) => ({ line: s.from.line }))
}
