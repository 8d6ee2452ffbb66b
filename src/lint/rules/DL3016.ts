import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { dropFlagArgs, nonFlagArgs, type SimpleCommand } from '../shell.js'

const GIT_PREFIXES = ['git://', 'git+ssh://', 'git+http://', 'git+https://']
const TARBALLS = ['.tar', '.tar.gz', '.tgz']
const FOLDERS = ['/', './', '../', '~/']

/** hadolint's test: `@` after the scope (the scope is the leading run of characters above `/`). */
function hasVersion(pkg: string): boolean {
  let rest = pkg
  if (rest.startsWith('@')) {
    let k = 0
    while (k < rest.length && rest[k] > '/') k++
    rest = rest.slice(k)
  }
  return rest.includes('@')
}

function pinned(pkg: string): boolean {
  if (GIT_PREFIXES.some((p) => pkg.startsWith(p))) return pkg.includes('#')
  if (TARBALLS.some((s) => pkg.endsWith(s))) return true
  if (FOLDERS.some((p) => pkg.startsWith(p))) return true
  return hasVersion(pkg)
}

/** `npm install <pkg>...` with a package that has no version, tag, commit or local path. */
export function npmForgotPin(cmd: SimpleCommand): boolean {
  if (cmd.name !== 'npm' || !cmd.args.some((a) => a.value === 'install')) return false
  const args = nonFlagArgs(dropFlagArgs(cmd, ['loglevel', 'registry'])).map((a) => a.value)
  if (args[0] !== 'install') return false
  let k = 0
  while (args[k] === 'install') k++
  return !args.slice(k).every(pinned)
}

export const DL3016: Rule = {
  code: 'DL3016',
  severity: 'warning',
  message:
    'Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`',
  name: 'npm-pin',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'RUN' && runInfo(i).commands.some(npmForgotPin))
      .map((i) => ({ line: i.line }))
}
