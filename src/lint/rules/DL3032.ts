import { cleanMissing } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { cmdHasArgs } from '../shell.js'

/**
 * `yum install` must be followed in the same RUN by `yum clean all` or `rm -rf /var/cache/yum/*`
 * (hadolint's predicates: "clean" or "all" alone, and `rm -rf` of anything, count).
 */
export const DL3032: Rule = {
  code: 'DL3032',
  severity: 'warning',
  message: '`yum clean all` missing after yum command.',
  name: 'yum-clean',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          i.keyword === 'RUN' &&
          cleanMissing(
            runInfo(i).commands,
            (c) => cmdHasArgs(c, 'yum', ['install']),
            (c) =>
              cmdHasArgs(c, 'yum', ['clean', 'all']) ||
              cmdHasArgs(c, 'rm', ['-rf', '/var/cache/yum/*'])
          )
      )
      .map((i) => ({ line: i.line }))
}
