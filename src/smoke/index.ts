import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import {
  describeCheck,
  hasHealthcheck,
  verdict,
  worstCaseSeconds,
  type ContainerState,
  type Healthcheck,
  type Verdict
} from './health.js'

export interface SmokeOptions {
  timeoutSeconds: number
  env: Record<string, string>
  runId: string
  /** Called with the container name before it starts, so a post step can remove it. */
  onContainer?: (name: string) => void
  pollMs?: number
}

export interface SmokeResult {
  passed: boolean
  verdict: Verdict | 'timeout' | 'no-healthcheck'
  seconds: number
  message: string
  /** The health probe's own output (last runs), and the container's log tail. */
  probeOutput: string
  logs: string
}

export const SMOKE_LABEL = 'io.github.ml-docker-action.smoke'

export async function smoke(
  image: string,
  docker: Docker,
  opts: SmokeOptions
): Promise<SmokeResult> {
  const log = docker.log
  const inspect = await docker.check(
    ['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', image],
    {
      quiet: true
    }
  )
  const hc = JSON.parse(inspect.stdout.trim() || 'null') as Healthcheck | null
  if (!hasHealthcheck(hc)) {
    return {
      passed: false,
      verdict: 'no-healthcheck',
      seconds: 0,
      message:
        'The image has no HEALTHCHECK, so nothing proves the service works. Add a HEALTHCHECK that ' +
        "requests the service (for example with the image's own python and urllib), or set `smoke: false`.",
      probeOutput: '',
      logs: ''
    }
  }
  const worst = worstCaseSeconds(hc)
  log.info(`health check: ${describeCheck(hc)}`)
  if (worst > opts.timeoutSeconds) {
    log.warning(
      `The HEALTHCHECK can take up to ${worst}s to decide, longer than smoke-timeout (${opts.timeoutSeconds}s).`
    )
  }

  const name = `ml-docker-smoke-${opts.runId}`
  opts.onContainer?.(name)
  const args = ['run', '--detach', '--name', name, '--label', `${SMOKE_LABEL}=${opts.runId}`]
  for (const [k, v] of Object.entries(opts.env)) args.push('--env', `${k}=${v}`)
  args.push(image)
  const started = Date.now()
  let state: ContainerState | undefined
  let result: Verdict | 'timeout' = 'starting'
  try {
    await docker.check(args)
    const deadline = started + opts.timeoutSeconds * 1000
    let last = ''
    while (Date.now() < deadline) {
      const res = await docker.run(['container', 'inspect', '--format', '{{json .State}}', name], {
        quiet: true
      })
      if (res.code === 0) {
        state = JSON.parse(res.stdout) as ContainerState
        result = verdict(state)
        const shown = `${state.Status}${state.Health ? `, health ${state.Health.Status}` : ''}`
        if (shown !== last)
          log.info(`container ${shown} after ${((Date.now() - started) / 1000).toFixed(1)}s`)
        last = shown
        if (result !== 'starting') break
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500))
    }
    if (result === 'starting') result = 'timeout'
    const seconds = (Date.now() - started) / 1000
    if (result === 'healthy') {
      return {
        passed: true,
        verdict: result,
        seconds,
        message: `healthy after ${seconds.toFixed(1)}s`,
        probeOutput: '',
        logs: ''
      }
    }
    const probeOutput = (state?.Health?.Log ?? [])
      .map((l) => `exit ${l.ExitCode}: ${l.Output.trim() || '(no output)'}`)
      .join('\n')
    const logs = await docker.run(['logs', '--tail', '200', name], { quiet: true })
    const message =
      result === 'unhealthy'
        ? `The container became unhealthy after ${seconds.toFixed(1)}s (${state?.Health?.FailingStreak ?? '?'} failed checks in a row).`
        : result === 'exited'
          ? `The container exited with code ${state?.ExitCode ?? '?'}${state?.OOMKilled ? ' (killed: out of memory)' : ''} after ${seconds.toFixed(1)}s before it was healthy.`
          : `The container was not healthy within smoke-timeout (${opts.timeoutSeconds}s); last health status: ${state?.Health?.Status ?? 'unknown'}.`
    return {
      passed: false,
      verdict: result,
      seconds,
      message,
      probeOutput,
      logs: lastLines(logs.output, 200)
    }
  } finally {
    await removeContainer(docker, name)
  }
}

export async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker.run(['rm', '--force', '--volumes', name], { quiet: true })
}
