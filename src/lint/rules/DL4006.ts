import { runInfo, shellArray } from '../model.js'
import type { Rule } from '../rule.js'
import { baseName } from '../shell.js'

const NON_POSIX = ['pwsh', 'powershell', 'cmd']
const PIPEFAIL_SHELLS = new Set(['bash', 'zsh', 'ash'])

/** SHELL array state: is the rule off (non-POSIX shell) or satisfied (bash/zsh/ash -o pipefail)? */
function shellState(shell: string[]): 'exempt' | 'pipefail' | 'plain' {
  const exe = baseName(shell[0] ?? '').toLowerCase()
  if (NON_POSIX.some((n) => exe === n || exe.startsWith(n + '.'))) return 'exempt'
  if (!PIPEFAIL_SHELLS.has(exe)) return 'plain'
  for (let k = 1; k + 1 < shell.length; k++) {
    if (/^-[A-Za-z]*o$/.test(shell[k]) && shell[k + 1] === 'pipefail') return 'pipefail'
  }
  return 'plain'
}

/** The SHELL is forgotten at every FROM (even `FROM <alias>`), as in hadolint. */
export const DL4006: Rule = {
  code: 'DL4006',
  severity: 'warning',
  message:
    'Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check',
  name: 'pipefail',
  check: ({ df }) => {
    const out: { line: number }[] = []
    let state: ReturnType<typeof shellState> = 'plain'
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') state = 'plain'
      else if (i.keyword === 'SHELL') state = shellState(shellArray(i))
      else if (i.keyword === 'RUN' && state === 'plain' && runInfo(i).shell.hasPipes)
        out.push({ line: i.line })
    }
    return out
  }
}
