import { aptGetPackages } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'

function pinned(pkg: string): boolean {
  return pkg.includes('=') || pkg.includes('/') || pkg.endsWith('.deb')
}

export const DL3008: Rule = {
  code: 'DL3008',
  severity: 'warning',
  message:
    'Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`',
  name: 'apt-get-pin',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          i.keyword === 'RUN' &&
          runInfo(i).commands.some((c) => aptGetPackages(c).some((p) => !pinned(p.value)))
      )
      .map((i) => ({ line: i.line }))
}
