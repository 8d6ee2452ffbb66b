import { apkPackages } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'

function pinned(pkg: string): boolean {
  return (
    /[=~<>]/.test(pkg) ||
    pkg.endsWith('.apk') ||
    pkg.startsWith('/') ||
    pkg.startsWith('./') ||
    pkg.startsWith('../') ||
    pkg.startsWith('~/')
  )
}

export const DL3018: Rule = {
  code: 'DL3018',
  severity: 'warning',
  message:
    'Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`',
  name: 'apk-pin',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          i.keyword === 'RUN' &&
          runInfo(i).commands.some((c) => apkPackages(c).some((p) => !pinned(p.value)))
      )
      .map((i) => ({ line: i.line }))
}
