import { finalStage } from '../facts/lineage.js'
import { effectiveCommand } from '../facts/command.js'
import type { Rule } from '../rule.js'
import { type SimpleCommand } from '../shell.js'

const MANAGERS = new Set(['supervisord', 's6-svscan', 'runsvdir', 'circusd', 'honcho'])

function daemonizes(cmd: SimpleCommand): boolean {
  const v = cmd.args.map((a) => a.value)
  return v.some(
    (a, k) =>
      (a === '--daemonize' && v[k + 1] === 'yes') ||
      a === '--daemonize=yes' ||
      a === '--daemon' ||
      a === '-daemon'
  )
}

/** What starts a second process, or undefined. */
export function secondProcess(commands: SimpleCommand[]): string | undefined {
  if (commands.some((c) => MANAGERS.has(c.base))) return undefined
  for (const [k, cmd] of commands.entries()) {
    const name = cmd.base
    if (cmd.background) return `\`${name} &\` runs in the background`
    if (daemonizes(cmd)) return `\`${name}\` daemonizes itself`
    if (name === 'service' && cmd.args[1]?.value === 'start')
      return `\`service ${cmd.args[0]?.value ?? ''} start\` starts a daemon`
    if (name === 'nohup') return '`nohup` starts a detached process'
    if (name === 'nginx' && k < commands.length - 1 && cmd.depth === 0)
      return '`nginx` runs next to the application'
  }
  return undefined
}

export const MLD018: Rule = {
  code: 'MLD018',
  severity: 'warning',
  message:
    'The container command starts several processes (background jobs, daemons) under a shell',
  name: 'multiple-processes-in-cmd',
  check: ({ df }) => {
    const stage = finalStage(df)
    const eff = stage && effectiveCommand(stage)
    if (!eff || !eff.viaShell) return []
    const why = secondProcess(eff.commands)
    if (!why) return []
    return [
      {
        line: eff.instr.line,
        message: `The container command starts several processes (${why}): nothing restarts or reaps the extra one, its logs are lost, and the shell as PID 1 does not forward SIGTERM. Run one process per container (a separate service for Redis, a worker container) or use a process manager`
      }
    ]
  }
}
