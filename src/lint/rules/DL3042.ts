import { hasCacheOrTmpfsMount, isPipInstall } from '../commands.js'
import { envPairs, runInfo, type Stage } from '../model.js'
import type { Rule } from '../rule.js'
import { hasArg } from '../shell.js'

const TRUTHY = new Set(['1', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'yes', 'Yes', 'YES'])
const INLINE_RE = /PIP_NO_CACHE_DIR=["']?([^\s"';&|]*)/g

function inlineNoCacheDir(script: string): boolean {
  for (const m of script.matchAll(INLINE_RE)) if (TRUTHY.has(m[1])) return true
  return false
}

/**
 * ENV PIP_NO_CACHE_DIR=<truthy> counts in its stage and in stages built FROM it; ARG does not;
 * a cache or tmpfs mount whose target contains `.cache/pip` counts; pipx and pipenv are exempt.
 */
export const DL3042: Rule = {
  code: 'DL3042',
  severity: 'warning',
  message: 'Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`',
  name: 'pip-no-cache-dir',
  onbuild: true,
  check: ({ df }) => {
    const out: { line: number }[] = []
    const disabled = new Set<Stage | undefined>()
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') {
        if (i.stage?.parentExact && disabled.has(i.stage.parentExact)) disabled.add(i.stage)
      } else if (i.keyword === 'ENV') {
        for (const p of envPairs(i)) {
          if (p.key !== 'PIP_NO_CACHE_DIR') continue
          if (TRUTHY.has(p.value)) disabled.add(i.stage)
          else disabled.delete(i.stage)
        }
      } else if (i.keyword === 'RUN' && !disabled.has(i.stage)) {
        const { commands, mounts, script } = runInfo(i)
        if (hasCacheOrTmpfsMount(mounts, (t) => t.includes('.cache/pip'))) continue
        if (inlineNoCacheDir(script)) continue
        const forgot = commands.some(
          (c) =>
            isPipInstall(c) &&
            !hasArg(c, '--no-cache-dir') &&
            c.name !== 'pipx' &&
            !c.name.startsWith('pipenv')
        )
        if (forgot) out.push({ line: i.line })
      }
    }
    return out
  }
}
