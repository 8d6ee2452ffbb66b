import { isPipInstall, pipPackages } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { hasFlag, type SimpleCommand } from '../shell.js'

const VERSION_SYMBOLS = ['==', '>=', '<=', '>', '<', '!=', '~=', '===']
const VCS_SCHEMES = [
  'git+file',
  'git+https',
  'git+ssh',
  'git+http',
  'git+git',
  'hg+file',
  'hg+http',
  'hg+https',
  'hg+ssh',
  'hg+static-http',
  'svn+svn',
  'svn+http',
  'svn+https',
  'svn+ssh',
  'bzr+http',
  'bzr+https',
  'bzr+ssh',
  'bzr+sftp',
  'bzr+ftp',
  'bzr+lp'
]

function versionFixed(pkg: string): boolean {
  if (VERSION_SYMBOLS.some((s) => pkg.includes(s))) return true
  if (VCS_SCHEMES.some((s) => pkg.startsWith(s + '://')))
    return /\.git@|@[^/]*$/.test(pkg.split('#')[0])
  return pkg === '.' || pkg.includes('/') || pkg.endsWith('.whl') || pkg.endsWith('.tar.gz')
}

export function forgotToPinPip(cmd: SimpleCommand): boolean {
  if (!isPipInstall(cmd)) return false
  if (hasFlag(cmd, 'r', 'requirement', 'c', 'constraint')) return false
  return pipPackages(cmd).some((p) => !versionFixed(p.value))
}

export const DL3013: Rule = {
  code: 'DL3013',
  severity: 'warning',
  message:
    'Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`',
  name: 'pip-pin',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'RUN' && runInfo(i).commands.some(forgotToPinPip))
      .map((i) => ({ line: i.line }))
}
