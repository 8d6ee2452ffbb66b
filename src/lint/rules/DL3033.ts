import { unpinnedRpmInstalls } from '../commands.js'
import type { Rule } from '../rule.js'

/** Packages of `yum install` need a version (`pkg-1.2`), modules of `yum module install` a stream. */
export const DL3033: Rule = {
  code: 'DL3033',
  severity: 'warning',
  message: 'Specify version with `yum install -y <package>-<version>`.',
  name: 'yum-pin',
  onbuild: true,
  check: ({ df }) => unpinnedRpmInstalls(df, ['yum'], ['module'])
}
