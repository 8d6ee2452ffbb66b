import { unpinnedRpmInstalls } from '../commands.js'
import type { Rule } from '../rule.js'

/** Packages of `dnf install` need a version (`pkg-1.2`), modules of `dnf module install` a stream. */
export const DL3041: Rule = {
  code: 'DL3041',
  severity: 'warning',
  message: 'Specify version with `dnf install -y <package>-<version>`.',
  name: 'dnf-pin',
  onbuild: true,
  check: ({ df }) => unpinnedRpmInstalls(df, ['dnf', 'microdnf'], ['module', 'group'])
}
