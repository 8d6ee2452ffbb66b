import { hasCacheOrTmpfsMount } from '../commands.js'
import { runInfo, type Instr } from '../model.js'
import type { Rule } from '../rule.js'
import { cmdHasArgs } from '../shell.js'

function forgotCleanup(instr: Instr): boolean {
  const { commands, mounts } = runInfo(instr)
  const update = commands.some(
    (c) =>
      cmdHasArgs(c, 'apt-get', ['update']) ||
      cmdHasArgs(c, 'apt', ['update']) ||
      cmdHasArgs(c, 'aptitude', ['update'])
  )
  if (!update) return false
  const cleanup = commands.some((c) => cmdHasArgs(c, 'rm', ['-rf', '/var/lib/apt/lists/*']))
  if (cleanup) return false
  const under = (dir: string) => (t: string) => t === dir || t.startsWith(dir + '/')
  const lists = hasCacheOrTmpfsMount(mounts, under('/var/lib/apt/lists'))
  const both =
    hasCacheOrTmpfsMount(mounts, under('/var/lib/apt')) &&
    hasCacheOrTmpfsMount(mounts, under('/var/cache/apt'))
  return !lists && !both
}

/**
 * Only the last stage and stages used as a FROM base are reported; instructions before the
 * first FROM count as the last stage only when there is no FROM at all.
 */
export const DL3009: Rule = {
  code: 'DL3009',
  severity: 'info',
  message: 'Delete the apt lists (/var/lib/apt/lists) after installing something',
  name: 'apt-lists-not-deleted',
  onbuild: true,
  check: ({ df }) => {
    const last = df.stages[df.stages.length - 1]
    const usedAsBase = new Set(df.stages.map((s) => s.parentExact).filter((s) => s !== undefined))
    return df.instructions
      .filter((i) => i.keyword === 'RUN' && forgotCleanup(i))
      .filter((i) =>
        i.stage === undefined ? df.stages.length === 0 : i.stage === last || usedAsBase.has(i.stage)
      )
      .map((i) => ({ line: i.line }))
  }
}
