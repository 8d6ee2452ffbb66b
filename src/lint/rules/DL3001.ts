import { anyCommand } from '../commands.js'
import type { Rule } from '../rule.js'

const MEANINGLESS = new Set([
  'ssh',
  'vim',
  'shutdown',
  'service',
  'ps',
  'free',
  'top',
  'kill',
  'mount',
  'ifconfig'
])

export const DL3001: Rule = {
  code: 'DL3001',
  severity: 'info',
  message:
    'For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`',
  name: 'meaningless-command',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter((i) => anyCommand(i, (c) => MEANINGLESS.has(c.name)))
      .map((i) => ({ line: i.line }))
}
