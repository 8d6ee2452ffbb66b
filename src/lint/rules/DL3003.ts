import { anyCommand } from '../commands.js'
import type { Rule } from '../rule.js'

export const DL3003: Rule = {
  code: 'DL3003',
  severity: 'warning',
  message: 'Use WORKDIR to switch to a directory',
  name: 'cd-in-run',
  check: ({ df }) =>
    df.instructions
      .filter((i) => anyCommand(i, (c) => c.name === 'cd'))
      .map((i) => ({ line: i.line }))
}
