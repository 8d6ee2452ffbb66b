import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { hasArg, hasFlag, type SimpleCommand } from '../shell.js'

function noisyWget(cmd: SimpleCommand): boolean {
  if (cmd.name !== 'wget') return false
  return !(
    hasFlag(
      cmd,
      'q',
      'quiet',
      'no-verbose',
      'o',
      'output-file',
      'a',
      'append-output',
      'progress'
    ) || hasArg(cmd, '-nv')
  )
}

export const DL3047: Rule = {
  code: 'DL3047',
  severity: 'info',
  message:
    'Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).',
  name: 'wget-progress',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'RUN' && runInfo(i).commands.some(noisyWget))
      .map((i) => ({ line: i.line }))
}
