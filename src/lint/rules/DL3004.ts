import { anyCommand } from '../commands.js'
import type { Rule } from '../rule.js'

export const DL3004: Rule = {
  code: 'DL3004',
  severity: 'error',
  message:
    'Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root',
  name: 'sudo',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => anyCommand(i, (c) => c.name === 'sudo'))
      .map((i) => ({ line: i.line }))
}
