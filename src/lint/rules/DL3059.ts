import { hasLiteralName } from '../commands.js'
import { runInfo, type Instr } from '../model.js'
import type { Rule } from '../rule.js'

function flagKey(i: Instr): string {
  return i.flags.map((f) => `${f.name}=${f.value ?? ''}`).join(' ')
}

/**
 * The commands hadolint counts: simple commands with a name, nested ones included; `[ ... ]` and
 * `[[ ... ]]` tests, bare assignments (`A=1`) and a first word with an expansion
 * (`python$PY ...`) are not commands to it.
 */
export function countedCommands(i: Instr): number {
  return runInfo(i).commands.filter((c) => hasLiteralName(c) && c.name !== '[' && c.name !== '[[')
    .length
}

/** Two adjacent RUNs (comments between them allowed) that each run at most one command, same flags. */
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
        countedCommands(prev) <= 1 &&
        countedCommands(i) <= 1
      ) {
        out.push({ line: i.line })
      }
      prev = i
    }
    return out
  }
}
