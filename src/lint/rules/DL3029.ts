import type { Rule } from '../rule.js'

export const DL3029: Rule = {
  code: 'DL3029',
  severity: 'warning',
  message: 'Do not use --platform flag with FROM',
  name: 'from-platform',
  check: ({ df }) =>
    df.stages
      .filter(
        (s) =>
          s.platform !== undefined &&
          !s.platform.includes('BUILDPLATFORM') &&
          !s.platform.includes('TARGETPLATFORM')
      )
      .map((s) => ({ line: s.from.line }))
}
