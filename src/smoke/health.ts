/** The parts of `docker inspect` a smoke test reads. */
export interface ContainerState {
  Status: string
  Running: boolean
  ExitCode: number
  OOMKilled?: boolean
  Error?: string
  Health?: {
    /** starting, healthy or unhealthy */
    Status: string
    FailingStreak?: number
    Log?: { Start?: string; End?: string; ExitCode: number; Output: string }[]
  }
}

export interface Healthcheck {
  Test?: string[]
  Interval?: number
  Timeout?: number
  StartPeriod?: number
  Retries?: number
}

export type Verdict = 'healthy' | 'unhealthy' | 'exited' | 'starting'

export function verdict(state: ContainerState): Verdict {
  if (state.Health?.Status === 'healthy') return 'healthy'
  if (state.Health?.Status === 'unhealthy') return 'unhealthy'
  if (!state.Running || state.Status === 'exited' || state.Status === 'dead') return 'exited'
  return 'starting'
}

/** True when the image declares a check Docker will actually run. */
export function hasHealthcheck(hc: Healthcheck | null | undefined): hc is Healthcheck {
  return !!hc && Array.isArray(hc.Test) && hc.Test.length > 0 && hc.Test[0] !== 'NONE'
}

const NS = 1_000_000_000
/** Docker's defaults when the HEALTHCHECK omits an option. */
export function healthTiming(hc: Healthcheck): {
  interval: number
  timeout: number
  startPeriod: number
  retries: number
} {
  return {
    interval: (hc.Interval || 30 * NS) / NS,
    timeout: (hc.Timeout || 30 * NS) / NS,
    startPeriod: (hc.StartPeriod || 0) / NS,
    retries: hc.Retries || 3
  }
}

/** The longest time Docker can take to decide, from the image's own HEALTHCHECK. */
export function worstCaseSeconds(hc: Healthcheck): number {
  const t = healthTiming(hc)
  return t.startPeriod + (t.interval + t.timeout) * t.retries
}

export function describeCheck(hc: Healthcheck): string {
  const t = healthTiming(hc)
  const test = hc.Test ?? []
  const cmd = test[0] === 'CMD-SHELL' ? test.slice(1).join(' ') : test.slice(1).join(' ')
  return `${cmd} (interval ${t.interval}s, timeout ${t.timeout}s, start period ${t.startPeriod}s, retries ${t.retries})`
}
