import { cleanMissing, hasCacheOrTmpfsMount } from '../commands.js'
import { runInfo, type Instr } from '../model.js'
import type { Rule } from '../rule.js'
import { cmdHasArgs } from '../shell.js'

const DNF = ['dnf', 'microdnf']
const INSTALL_VERBS = [
  'install',
  'in',
  'upgrade',
  'up',
  'upgrade-minimal',
  'up-min',
  'reinstall',
  'rei'
]

/**
 * For each of dnf and microdnf: an install/upgrade must be followed, in the same RUN, by a clean
 * (`<dnf> clean all`, or `rm -rf /var/cache/libdnf5*`), unless the cache is a cache/tmpfs mount.
 * hadolint's predicates are kept as they are: "clean" or "all" alone, and `rm -rf` of anything,
 * count as a clean.
 */
function forgotClean(instr: Instr): boolean {
  const { commands, mounts } = runInfo(instr)
  if (hasCacheOrTmpfsMount(mounts, (t) => t.includes('/var/cache/libdnf5'))) return false
  if (hasCacheOrTmpfsMount(mounts, (t) => t.includes('.cache/libdnf5'))) return false
  return DNF.some((name) =>
    cleanMissing(
      commands,
      (c) => cmdHasArgs(c, name, INSTALL_VERBS),
      (c) =>
        cmdHasArgs(c, name, ['clean', 'all']) || cmdHasArgs(c, 'rm', ['-rf', '/var/cache/libdnf5*'])
    )
  )
}

export const DL3040: Rule = {
  code: 'DL3040',
  severity: 'warning',
  message: '`dnf clean all` missing after dnf command.',
  name: 'dnf-clean',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'RUN' && forgotClean(i))
      .map((i) => ({ line: i.line }))
}
