import { isAptGetInstall } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { hasArg, hasFlag } from '../shell.js'

export const DL3015: Rule = {
  code: 'DL3015',
  severity: 'info',
  message: 'Avoid additional packages by specifying `--no-install-recommends`',
  name: 'apt-get-no-install-recommends',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          i.keyword === 'RUN' &&
          runInfo(i).commands.some(
            (c) =>
              isAptGetInstall(c) &&
              !hasFlag(c, 'no-install-recommends') &&
              !hasArg(c, 'APT::Install-Recommends=false')
          )
      )
      .map((i) => ({ line: i.line }))
}
