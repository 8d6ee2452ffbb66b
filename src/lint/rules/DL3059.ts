import { runInfo, type Instr } from '../model.js'
import type { Rule } from '../rule.js'

function flagKey(i: Instr): string {
  return i.flags.map((f) => `${f.name}=${f.value ?? ''}`).join(' ')
}

/** Two adjacent RUNs (comments between them allowed) that each run exactly one command, same flags. */
export const DL3059: Rule = {
  code: 'DL3059',
  severity: 'info',
  message: 'Multiple consecutive `RUN` instructions. Consider consolidation.',
  name: 'consecutive-run',
  check: ({ df }) => {
    const out: { line: number }[] = []
    let prev: Instr | undefined
    for (const i of df.instructions) {
      if (i.keyword !== 'RUN') {
        prev = undefined
        continue
      }
      if (
        prev &&
        flagKey(prev) === flagKey(i) &&
        runInfo(prev).commands.length === 1 &&
        runInfo(i).commands.length === 1
      ) {
        out.push({ line: i.line })
      }
      prev = i
    }
    return out
  }
}
