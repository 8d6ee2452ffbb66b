import { anyCommand } from '../commands.js'
import type { Rule } from '../rule.js'

export const DL3027: Rule = {
  code: 'DL3027',
  severity: 'warning',
  message: 'Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead',
  name: 'apt',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => anyCommand(i, (c) => c.name === 'apt'))
      .map((i) => ({ line: i.line }))
}
