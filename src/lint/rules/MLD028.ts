import { finalStage, isPythonCommand, lineageInstructions, envPairs } from '../model.js'
import { effectiveCommand } from '../ml.js'
import type { Rule } from '../rule.js'

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
        !c.args.some((a) => /^-[A-Za-z]*u[A-Za-z]*$/.test(a.value) && !a.value.startsWith('--'))
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
