import { anyCommand } from '../commands.js'
import type { Rule } from '../rule.js'
import { cmdHasArgs } from '../shell.js'

export const DL4005: Rule = {
  code: 'DL4005',
  severity: 'warning',
  message: 'Use SHELL to change the default shell',
  name: 'ln-bin-sh',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => anyCommand(i, (c) => cmdHasArgs(c, 'ln', ['/bin/sh'])))
      .map((i) => ({ line: i.line }))
}
