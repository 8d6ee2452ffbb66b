/**
 * A suite or test that cannot run here says so in one line on stderr, so that a run with skipped
 * parts never looks like a full pass. In CI (CI=true) nothing may be skipped: callers fail instead.
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.CI ?? '')
}

/** The line printed for a skipped suite or test: what, why, and the command that fixes it. */
export function skipLine(kind: string, name: string, why: string, fix: string): string {
  return `SKIPPED ${kind} "${name}": ${why} (run: ${fix})`
}

export function announceSkip(kind: string, name: string, why: string, fix: string): void {
  process.stderr.write(`${skipLine(kind, name, why, fix)}\n`)
}
