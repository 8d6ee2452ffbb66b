import { hasCacheOrTmpfsMount, isApkAdd } from '../commands.js'
import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { hasFlag } from '../shell.js'

export const DL3019: Rule = {
  code: 'DL3019',
  severity: 'info',
  message:
    'Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages',
  name: 'apk-no-cache',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => {
        if (i.keyword !== 'RUN') return false
        const { commands, mounts } = runInfo(i)
        if (hasCacheOrTmpfsMount(mounts, (t) => t.replace(/\/+$/, '') === '/var/cache/apk'))
          return false
        return commands.some((c) => isApkAdd(c) && !hasFlag(c, 'no-cache'))
      })
      .map((i) => ({ line: i.line }))
}
