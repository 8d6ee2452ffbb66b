import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { flagsOf, hasFlag, type SimpleCommand } from '../shell.js'

/** hadolint reads the argument after the `-u` flag token (so `-u1000 name` reads `name`). */
function longUidWithoutNoLogInit(cmd: SimpleCommand): boolean {
  if (cmd.name !== 'useradd' || hasFlag(cmd, 'l', 'no-log-init')) return false
  const u = flagsOf(cmd).find((f) => f.flag === 'u')
  if (!u) return false
  const value = cmd.args[u.index + 1]?.value
  return value !== undefined && value.length > 5
}

export const DL3046: Rule = {
  code: 'DL3046',
  severity: 'warning',
  message: '`useradd` without flag `-l` and high UID will result in excessively large Image.',
  name: 'useradd-high-uid',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'RUN' && runInfo(i).commands.some(longUidWithoutNoLogInit))
      .map((i) => ({ line: i.line }))
}
