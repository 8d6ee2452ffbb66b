import { healthInfo, type HealthInfo, isPythonCommand, pythonSources } from '../model.js'
import type { Hit, Rule } from '../rule.js'
import { type SimpleCommand } from '../shell.js'

const NOOP_COMMANDS = new Set(['true', ':', 'echo', 'printf', 'sleep'])
const NOOP_PYTHON = /^(import sys|sys\.exit\(0\)|exit\(0\)|pass|quit\(0\))$/

function isExit(cmd: SimpleCommand, code: string): boolean {
  return cmd.name === 'exit' && (cmd.args[0]?.value ?? '0') === code
}

function isNoop(cmd: SimpleCommand): boolean {
  if (NOOP_COMMANDS.has(cmd.base) || isExit(cmd, '0')) return true
  if (isPythonCommand(cmd.name)) {
    const code = pythonSources(cmd)
    if (code.length === 0) return false
    return code.every((c) =>
      c
        .split(/[;\n]/)
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => NOOP_PYTHON.test(s))
    )
  }
  return false
}

/** Why a health check cannot observe the service, or undefined when it can. */
export function noopReason(hc: HealthInfo): string | undefined {
  const top = hc.commands.filter((c) => c.depth === 0)
  if (top.length === 0) return undefined
  const last = top[top.length - 1]
  if (last.prev === '||' && (last.name === 'true' || last.name === ':' || isExit(last, '0')))
    return 'its failure is masked'
  if ((last.prev === ';' || last.prev === '\n') && isExit(last, '0')) return 'it always exits 0'
  const body = last.prev === '||' && isExit(last, '1') ? top.slice(0, -1) : top
  if (body.length > 0 && body.every(isNoop)) return 'it does not probe anything'
  return undefined
}

export const MLD016: Rule = {
  code: 'MLD016',
  severity: 'error',
  message: 'The HEALTHCHECK always passes (no-op command or masked failure)',
  name: 'healthcheck-noop',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const instr of df.instructions.filter((i) => i.keyword === 'HEALTHCHECK')) {
      const hc = healthInfo(instr)
      if (!hc || hc.none) continue
      const reason = noopReason(hc)
      if (reason) {
        out.push({
          line: hc.line,
          message: `This HEALTHCHECK always passes (${reason}): a crashed model server stays "healthy". Probe the serving endpoint, e.g. \`python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health', timeout=3)"\``
        })
      }
    }
    return out
  }
}
