import { healthTiming, type Healthcheck } from './health.js'
import type { Probe } from './spec.js'

/** How often a check runs while the service starts (Docker's `--health-start-interval`). */
export const START_INTERVAL_MS = 250

/** Everything one `docker run` of the smoke test needs, decided before any side effect. */
export interface RunPlan {
  name: string
  image: string
  labels: Record<string, string>
  /** The private network, and the name others reach this container by on it. */
  network?: string
  alias?: string
  env: Record<string, string>
  /** Container ports (`8080/tcp`) published on 127.0.0.1 at a port the daemon picks. */
  publish: string[]
  /** Replaces the image's CMD. */
  args: string[]
  gpus?: string
  shmSize?: string
  memory?: string
  readOnly?: boolean
  /** Health flags (`--health-*`, `--no-healthcheck`), from `healthFlags`. */
  health: string[]
}

function duration(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`
}

/**
 * The health flags for a probe. The image's own check keeps its command, timeout and retries;
 * only its schedule during start-up changes: Docker runs it every START_INTERVAL_MS during a start
 * period of at least one interval (Docker's first regular check comes after one interval anyway),
 * so a service that is ready after 1 s is healthy after about 1 s. Failures count as they would
 * without the change once that period is over.
 */
export function healthFlags(
  probe: Probe,
  hc: Healthcheck | null,
  timeoutSeconds: number
): string[] {
  if (probe.kind === 'http') return ['--no-healthcheck']
  if (probe.kind === 'cmd') {
    // Passes at the first success; failures never end the test early, smoke-timeout does.
    return [
      '--health-cmd',
      probe.command,
      '--health-interval',
      '1s',
      '--health-timeout',
      duration(Math.min(timeoutSeconds, 30) * 1000),
      '--health-start-period',
      duration(timeoutSeconds * 1000),
      '--health-start-interval',
      duration(START_INTERVAL_MS),
      '--health-retries',
      '1'
    ]
  }
  if (!hc) return []
  const t = healthTiming(hc)
  return [
    '--health-start-period',
    duration(Math.max(t.startPeriod, t.interval) * 1000),
    '--health-start-interval',
    duration(START_INTERVAL_MS)
  ]
}

/** The longest the image's check can take to decide under `healthFlags`. */
export function worstCaseWithFlags(hc: Healthcheck): number {
  const t = healthTiming(hc)
  return Math.max(t.startPeriod, t.interval) + (t.interval + t.timeout) * t.retries
}

/** The argv after `docker`. Pure, so every flag is unit-tested. */
export function runArgv(plan: RunPlan): string[] {
  const argv = ['run', '--detach', '--name', plan.name]
  for (const [k, v] of Object.entries(plan.labels)) argv.push('--label', `${k}=${v}`)
  if (plan.network) argv.push('--network', plan.network)
  if (plan.network && plan.alias) argv.push('--network-alias', plan.alias)
  for (const [k, v] of Object.entries(plan.env)) argv.push('--env', `${k}=${v}`)
  // Loopback only: the test must not expose an unreviewed image to the runner's network.
  for (const p of plan.publish) argv.push('--publish', `127.0.0.1::${p}`)
  if (plan.gpus) argv.push('--gpus', plan.gpus)
  if (plan.shmSize) argv.push('--shm-size', plan.shmSize)
  if (plan.memory) {
    // Same value for memory+swap: the limit is a limit, not a cue to start swapping.
    argv.push('--memory', plan.memory, '--memory-swap', plan.memory)
  }
  if (plan.readOnly) argv.push('--read-only', '--tmpfs', '/tmp')
  argv.push(...plan.health)
  argv.push(plan.image, ...plan.args)
  return argv
}

/** The host port Docker picked for a published container port (`docker port` output). */
export function parsePortOutput(output: string): number | undefined {
  for (const line of output.split('\n')) {
    const m = /^(?:127\.0\.0\.1|0\.0\.0\.0|\[::\]|\[::1\]):(\d+)$/.exec(line.trim())
    if (m) return Number(m[1])
  }
  return undefined
}
