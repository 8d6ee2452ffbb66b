import { isArchive } from '../facts/instructions.js'
import { copyInfo, runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { hasFlag, type SimpleCommand } from '../shell.js'

const DECOMPRESSORS = new Set(['gunzip', 'bunzip2', 'unlzma', 'unxz', 'zgz', 'uncompress', 'gzcat'])

function basename(path: string): string {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] ?? path
}

function extracts(cmd: SimpleCommand): boolean {
  return (cmd.name === 'tar' && hasFlag(cmd, 'x', 'extract', 'get')) || DECOMPRESSORS.has(cmd.name)
}

export const DL3010: Rule = {
  code: 'DL3010',
  severity: 'info',
  message: 'Use `ADD` for extracting archives into an image',
  name: 'copy-then-extract',
  check: ({ df }) => {
    const out: { line: number }[] = []
    let tracked = new Map<string, number>()
    const reported = new Set<number>()
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') tracked = new Map()
      else if (i.keyword === 'COPY') {
        const c = copyInfo(i)
        if (c.from !== undefined) continue
        const archives = c.sources.filter(isArchive).map(basename)
        if (isArchive(c.dest)) archives.push(basename(c.dest))
        for (const a of archives) tracked.set(a, i.line)
      } else if (i.keyword === 'RUN' && tracked.size > 0) {
        for (const cmd of runInfo(i).commands) {
          if (!extracts(cmd)) continue
          for (const arg of cmd.args) {
            const line = tracked.get(basename(arg.value))
            if (line !== undefined && !reported.has(line)) {
              reported.add(line)
              out.push({ line })
            }
          }
        }
      }
    }
    return out.sort((a, b) => a.line - b.line)
  }
}
