import type { Rule } from '../rule.js'

export const DL3065: Rule = {
  code: 'DL3065',
  severity: 'warning',
  message:
    'Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior',
  name: 'redundant-target-platform',
  check: ({ df }) =>
    df.stages
      .filter((s) => {
        const raw = s.from.flags.find((f) => f.name === 'platform')?.raw
        return raw === '$TARGETPLATFORM' || raw === '${TARGETPLATFORM}'
      })
      .map((s) => ({ line: s.from.line }))
}
