import { isAptGetInstall } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { countFlag, hasArg, hasFlag, type SimpleCommand } from '../shell.js'

function hasYes(cmd: SimpleCommand): boolean {
  if (hasFlag(cmd, 'y', 'yes', 'assume-yes')) return true
  if (hasArg(cmd, '-q=2', '-qq')) return true
  return countFlag(cmd, 'q') + countFlag(cmd, 'quiet') >= 2
}

export const DL3014: Rule = {
  code: 'DL3014',
  severity: 'warning',
  message: 'Use the `-y` switch to avoid manual input `apt-get -y install <package>`',
  name: 'apt-get-yes',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          i.keyword === 'RUN' && runInfo(i).commands.some((c) => isAptGetInstall(c) && !hasYes(c))
      )
      .map((i) => ({ line: i.line }))
}
