import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { isPythonCommand, envPairs } from '../model.js'
import { effectiveCommand } from '../facts/command.js'
import type { Rule } from '../rule.js'
import type { SimpleCommand } from '../shell.js'

/**
 * `python --version`, or `python -c` code that only imports and prints: the process exits at
 * once and flushes its buffer on exit, so buffering loses nothing.
 */
export function printsAndExits(cmd: SimpleCommand): boolean {
  const v = cmd.args.map((a) => a.value)
  if (v.some((a) => a === '--version' || a === '-V' || a === '--help' || a === '-h')) return true
  const c = v.indexOf('-c')
  if (c < 0 || v[c + 1] === undefined) return false
  return v[c + 1]
    .split(/[;\n]/)
    .map((st) => st.trim())
    .every((st) => st === '' || /^(import\s|from\s\S+\s+import\s|print\()/.test(st))
}

export const MLD028: Rule = {
  code: 'MLD028',
  severity: 'info',
  message: 'Python runs with buffered output (no PYTHONUNBUFFERED, no -u)',
  name: 'python-output-buffered',
  check: ({ df }) => {
    const stage = finalStage(df)
    const eff = stage && effectiveCommand(stage)
    if (!stage || !eff) return []
    const unbuffered = lineageInstructions(stage).some(
      (i) =>
        i.keyword === 'ENV' &&
        envPairs(i).some((p) => p.key === 'PYTHONUNBUFFERED' && p.value !== '')
    )
    if (unbuffered) return []
    const py = eff.commands.find(
      (c) =>
        isPythonCommand(c.name) &&
        !c.assignments.some((a) => a.name === 'PYTHONUNBUFFERED' && a.value !== '') &&
        !c.args.some((a) => /^-[A-Za-z]*u[A-Za-z]*$/.test(a.value) && !a.value.startsWith('--')) &&
        !printsAndExits(c)
    )
    if (!py) return []
    return [
      {
        line: eff.instr.line,
        message: `\`${py.base}\` runs with block-buffered stdout: prints and training progress show up late in \`docker logs\` and are lost on a crash or OOM kill. Set \`ENV PYTHONUNBUFFERED=1\` or run \`python -u\``
      }
    ]
  }
}
