import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { eachLine } from '../exec.js'
import { healthFlags, parsePortOutput, runArgv, worstCaseWithFlags, type RunPlan } from './args.js'
import { EVENT_FILTERS, EventLog, parseEvent, type ContainerEvent } from './events.js'
import {
  largestLayers,
  parseHistory,
  parseStatsLine,
  uncompressedSize,
  type Layer
} from './figures.js'
import { describeCheck, hasHealthcheck, type ContainerState, type Healthcheck } from './health.js'
import { describeResponse, is2xx, send, type HttpResult } from './http.js'
import {
  dockerArch,
  isLoopbackRegistry,
  isNotFound,
  parsePublished,
  type PublishedImage
} from './published.js'
import { compressedFromSave, measureSave, type CompressedSize } from './size.js'
import { formatBytes, type Probe, type Sidecar, type SmokeRequest } from './spec.js'

export interface SmokeOptions {
  timeoutSeconds: number
  env: Record<string, string>
  runId: string
  /** Undefined: the image's HEALTHCHECK. */
  probe?: Probe
  request?: SmokeRequest
  expect?: RegExp
  services?: Sidecar[]
  /** Container ports to publish; empty: the image's EXPOSE list. */
  ports?: string[]
  args?: string[]
  gpus?: string
  shmSize?: string
  memory?: string
  readOnly?: boolean
  /** Bytes, uncompressed. */
  maxImageSize?: number
  /** The run's tags: the first one already published is compared against. */
  compareWith?: string[]
  /** The compressed size when the build already knows it (its OCI layout): no `docker save` then. */
  compressed?: CompressedSize
  /** Called with each container name before it starts, so a post step can remove it. */
  onContainer?: (name: string) => void
  /** Called with the private network's name before it is created. */
  onNetwork?: (name: string) => void
  /**
   * Given the removal of the containers (and network) once the verdict is in. When set, the smoke
   * test returns without waiting for it, and the caller awaits it before the run ends. The idle
   * memory sample (and so the memory figures) is complete only once the removal is.
   */
  onRemoval?: (removal: Promise<void>) => void
}

export type SmokeVerdict =
  | 'healthy'
  | 'unhealthy'
  | 'exited'
  | 'oom'
  | 'timeout'
  | 'no-healthcheck'
  | 'request-failed'
  | 'too-large'
  | 'sidecar-failed'

export interface SidecarResult {
  name: string
  image: string
  ready: boolean
  seconds: number
  detail: string
  logs: string
}

export interface RequestResult {
  method: string
  path: string
  status: number
  ms: number
  passed: boolean
  /** The response (status and body start), shown when it fails. */
  response: string
}

export interface SmokeFigures {
  /** From the container's start to the probe's first success (Engine event times for health checks). */
  readySeconds?: number
  memoryIdle?: number
  memoryPeak?: number
  memorySamples: number
  /** Uncompressed: the sum of the layer sizes `docker image history` reports. */
  size?: number
  compressed?: CompressedSize
  largestLayers: Layer[]
  published?: PublishedImage & { change: number; sharedLayers?: number }
  /** Why there is no comparison, when there is none. */
  publishedNote?: string
  maxImageSize?: number
}

export interface SmokeResult {
  passed: boolean
  verdict: SmokeVerdict
  /** Seconds from `docker run` to the verdict. */
  seconds: number
  message: string
  probe: string
  /** The last probe outputs (health check runs or HTTP answers), most recent last. */
  probeOutput: string
  /** The service container's log tail, on failure. */
  logs: string
  exitCode?: number
  oomKilled?: boolean
  /** From the deciding Engine event to the verdict, in ms. */
  verdictLatencyMs?: number
  request?: RequestResult
  sidecars: SidecarResult[]
  figures: SmokeFigures
}

export const SMOKE_LABEL = 'io.github.ml-docker-action.smoke'
const LOG_LINES = 200
const STATS_WAIT_MS = 3000

interface ImageFacts {
  healthcheck: Healthcheck | null
  exposed: string[]
  size: number
}

async function imageFacts(docker: Docker, image: string): Promise<ImageFacts> {
  const res = await docker.check(['image', 'inspect', '--format', '{{json .}}', image], {
    quiet: true
  })
  const info = JSON.parse(res.stdout) as {
    Size?: number
    Config?: { Healthcheck?: Healthcheck | null; ExposedPorts?: Record<string, unknown> | null }
  }
  return {
    healthcheck: info.Config?.Healthcheck ?? null,
    exposed: Object.keys(info.Config?.ExposedPorts ?? {}).filter((p) => p.endsWith('/tcp')),
    size: info.Size ?? 0
  }
}

function describeProbe(probe: Probe, hc: Healthcheck | null): string {
  if (probe.kind === 'http') return `HTTP GET ${probe.url} answers 2xx`
  if (probe.kind === 'cmd') return `\`${probe.command}\` exits 0`
  return `the image's HEALTHCHECK: ${hc ? describeCheck(hc) : ''}`
}

/**
 * Runs the built image (with its sidecars on a private network), waits for the probe, sends the
 * prediction request and measures it. Every container and the network are removed before this
 * returns, whatever happened; `onContainer`/`onNetwork` let a post step do it after a cancel.
 */
export async function smoke(
  image: string,
  docker: Docker,
  opts: SmokeOptions
): Promise<SmokeResult> {
  const log = docker.log
  const facts = await imageFacts(docker, image)
  const figures: SmokeFigures = {
    memorySamples: 0,
    largestLayers: [],
    size: facts.size,
    maxImageSize: opts.maxImageSize
  }
  const base = {
    sidecars: [] as SidecarResult[],
    figures,
    probeOutput: '',
    logs: '',
    seconds: 0
  }
  // The size figures (image history, the published image from the registry) are read beside the
  // container run, unless a size limit must be judged before it.
  const measuring = measureImage(
    docker,
    image,
    figures,
    opts.compareWith ?? [],
    opts.compressed
  ).catch((e: unknown) =>
    log.warning(`Could not read the size figures: ${e instanceof Error ? e.message : String(e)}`)
  )
  if (opts.maxImageSize !== undefined) await measuring
  try {
    return await judge()
  } finally {
    await measuring
  }

  async function judge(): Promise<SmokeResult> {
    const size = figures.size ?? facts.size
    if (opts.maxImageSize !== undefined && size > opts.maxImageSize) {
      const top = figures.largestLayers
        .slice(0, 3)
        .map((l) => `${formatBytes(l.size)} ${l.instruction}`)
        .join('; ')
      return {
        ...base,
        passed: false,
        verdict: 'too-large',
        probe: '',
        message:
          `The image is ${formatBytes(size)} uncompressed, above max-image-size ` +
          `(${formatBytes(opts.maxImageSize)}). Largest layers: ${top || 'none'}. ` +
          'Make the image smaller or raise max-image-size.'
      }
    }

    const probe: Probe | undefined =
      opts.probe ?? (hasHealthcheck(facts.healthcheck) ? { kind: 'healthcheck' } : undefined)
    if (!probe || (probe.kind === 'healthcheck' && !hasHealthcheck(facts.healthcheck))) {
      return {
        ...base,
        passed: false,
        verdict: 'no-healthcheck',
        probe: '',
        message:
          'The image has no HEALTHCHECK, so nothing proves the service works. Set smoke-probe (for example ' +
          '`http://:8080/health` or `cmd: <command>`), add a HEALTHCHECK that requests the service, or set `smoke: false`.'
      }
    }
    const hc = hasHealthcheck(facts.healthcheck) ? facts.healthcheck : null
    const probeText = describeProbe(probe, hc)
    log.info(`probe: ${probeText}`)
    if (probe.kind === 'healthcheck' && hc && worstCaseWithFlags(hc) > opts.timeoutSeconds) {
      log.warning(
        `The HEALTHCHECK can take up to ${worstCaseWithFlags(hc)}s to decide, longer than smoke-timeout (${opts.timeoutSeconds}s).`
      )
    }

    const name = `ml-docker-smoke-${opts.runId}`
    const labels = { [SMOKE_LABEL]: opts.runId }
    const services = opts.services ?? []
    const network = services.length ? `ml-docker-smoke-${opts.runId}` : undefined
    const sidecarName = (s: Sidecar): string => `${name}-${s.name}`
    const publish = [...(opts.ports?.length ? opts.ports : facts.exposed)]
    if (probe.kind === 'http' && !publish.includes(`${probe.port}/tcp`))
      publish.push(`${probe.port}/tcp`)
    const needsPort = probe.kind === 'http' || !!opts.request
    if (opts.request && publish.length === 0) {
      return {
        ...base,
        passed: false,
        verdict: 'request-failed',
        probe: probeText,
        message:
          'smoke-request is set, but the image exposes no TCP port to send it to. Add EXPOSE to the ' +
          'Dockerfile or set smoke-ports.'
      }
    }

    // The event stream starts before anything is created; --since replays what the daemon saw
    // between this call and the stream's connection, so no event is lost.
    const events = new EventLog()
    const since = ((Date.now() - 1000) / 1000).toFixed(3)
    const stream = docker.spawn(
      [
        'events',
        '--since',
        since,
        '--filter',
        'type=container',
        '--filter',
        `label=${SMOKE_LABEL}=${opts.runId}`,
        ...EVENT_FILTERS,
        '--format',
        '{{json .}}'
      ],
      { quiet: true }
    )
    eachLine(stream.stdout, (line) => {
      const ev = parseEvent(line)
      if (ev) events.push(ev)
    })
    void stream.done.then(() => events.close())

    const memory: number[] = []
    let idle: Promise<void> | undefined
    let stats: ReturnType<Docker['spawn']> | undefined
    const containers: string[] = []
    const started = Date.now()
    const deadline = started + opts.timeoutSeconds * 1000
    const elapsed = (): number => (Date.now() - started) / 1000
    const result: SmokeResult = {
      ...base,
      passed: false,
      verdict: 'timeout',
      probe: probeText,
      message: ''
    }

    try {
      if (network) {
        opts.onNetwork?.(network)
        await docker.check([
          'network',
          'create',
          '--label',
          `${SMOKE_LABEL}=${opts.runId}`,
          network
        ])
      }
      // Sidecars first, all started at once, then each waited for.
      for (const s of services) {
        opts.onContainer?.(sidecarName(s))
        containers.push(sidecarName(s))
        const res = await docker.run(
          runArgv({
            name: sidecarName(s),
            image: s.image,
            labels,
            network,
            alias: s.name,
            env: {},
            publish: [],
            args: [],
            health: await sidecarHealth(docker, s.image)
          })
        )
        if (res.code !== 0) {
          result.verdict = 'sidecar-failed'
          result.sidecars.push({
            name: s.name,
            image: s.image,
            ready: false,
            seconds: elapsed(),
            detail: `could not start: ${lastLines(res.output, 3)}`,
            logs: ''
          })
          result.message = `Sidecar ${s.name} (${s.image}) could not start: ${lastLines(res.output, 3)}`
          return result
        }
      }
      const sidecarResults = await Promise.all(
        services.map((s) => waitSidecar(docker, events, s, sidecarName(s), deadline, started))
      )
      result.sidecars.push(...sidecarResults)
      const badSidecar = sidecarResults.find((s) => !s.ready)
      if (badSidecar) {
        result.verdict = 'sidecar-failed'
        result.seconds = elapsed()
        result.message =
          `Sidecar ${badSidecar.name} (${badSidecar.image}) ${badSidecar.detail}.` +
          (badSidecar.logs ? `\nLast log lines:\n${lastLines(badSidecar.logs, 10)}` : '')
        return result
      }

      const plan: RunPlan = {
        name,
        image,
        labels,
        network,
        env: opts.env,
        publish: needsPort ? publish : [],
        args: opts.args ?? [],
        gpus: opts.gpus,
        shmSize: opts.shmSize,
        memory: opts.memory,
        readOnly: opts.readOnly,
        health: healthFlags(probe, hc, opts.timeoutSeconds)
      }
      opts.onContainer?.(name)
      containers.push(name)
      const runStarted = Date.now()
      await docker.check(runArgv(plan))
      stats = docker.spawn(['stats', '--format', '{{json .}}', name], { quiet: true })
      eachLine(stats.stdout, (line) => {
        const s = parseStatsLine(line)
        if (s && s.name === name && s.memory > 0) {
          memory.push(s.memory)
        }
      })

      // The verdict.
      let decided: ContainerEvent | undefined
      let readyAt: number | undefined
      const probeLog: string[] = []
      const startEvent = await events.next(name, ['start'], 5000)
      const t0 = startEvent?.at ?? runStarted
      if (probe.kind === 'http') {
        const req: SmokeRequest = { method: 'GET', path: probe.path, headers: {}, body: '' }
        // A container that already exited has no ports: its die event is the verdict then.
        const hostPort = await publishedPort(docker, name, `${probe.port}/tcp`).catch(
          async (e: Error) => {
            decided = await events.next(name, ['die'], 2000)
            if (!decided) throw e
            return 0
          }
        )
        while (!decided && Date.now() < deadline) {
          const died = await events.next(name, ['die'], 0)
          if (died) {
            decided = died
            break
          }
          const r = await send(hostPort, req, Math.min(2000, Math.max(1, deadline - Date.now())))
          if (is2xx(r.status)) {
            readyAt = Date.now()
            probeLog.push(
              `${describeResponse(r, 200)} after ${((readyAt - t0) / 1000).toFixed(2)}s`
            )
            break
          }
          probeLog.push(describeResponse(r, 200))
          if (probeLog.length > 5) probeLog.shift()
          await events.next(name, ['die'], 100)
        }
      } else {
        decided = await events.next(
          name,
          ['healthy', 'unhealthy', 'die'],
          Math.max(0, deadline - Date.now())
        )
        if (decided?.kind === 'healthy') readyAt = decided.at
      }
      const decidedAt = Date.now()
      result.seconds = elapsed()
      if (decided) result.verdictLatencyMs = decidedAt - decided.at

      if (readyAt !== undefined) {
        figures.readySeconds = Math.max(0, (readyAt - t0) / 1000)
        result.verdict = 'healthy'
        result.passed = true
        const t = figures.readySeconds.toFixed(1)
        result.message =
          probe.kind === 'http'
            ? `ready after ${t}s (GET ${probe.url} answered 2xx)`
            : `healthy after ${t}s (${probe.kind === 'cmd' ? 'probe command' : "the image's HEALTHCHECK"})`
        log.info(result.message)
        if (opts.request) {
          const hostPort = await publishedPort(docker, name, publish[0])
          const r = await send(hostPort, opts.request, Math.max(1000, deadline - Date.now()))
          result.request = judgeRequest(opts.request, r, opts.expect)
          log.info(
            `${opts.request.method} ${opts.request.path}: ${describeResponse(r, 300)} in ${r.ms.toFixed(0)}ms`
          )
          if (!result.request.passed) {
            result.passed = false
            result.verdict = 'request-failed'
            result.message =
              `The prediction request ${opts.request.method} ${opts.request.path} failed: ` +
              (r.error
                ? r.error
                : !is2xx(r.status)
                  ? `status ${r.status} (2xx required)`
                  : `the response does not match smoke-expect /${opts.expect?.source}/`) +
              `.\nResponse: ${result.request.response}`
          }
        }
        // Idle memory: a fresh one-shot sample once the service was ready and answered (the
        // stream's latest line can be an older reading when the daemon is busy). `docker stats
        // --no-stream` takes 1.5 to 2 s (two readings), and the figure decides nothing: it is
        // taken beside the rest of the run, before the container is removed.
        idle = docker
          .run(['stats', '--no-stream', '--format', '{{json .}}', name], {
            quiet: true,
            timeoutMs: STATS_WAIT_MS * 3
          })
          .then((res) => {
            const sample = res.code === 0 ? parseStatsLine(res.stdout) : undefined
            if (sample && sample.memory > 0) {
              figures.memoryIdle = sample.memory
              memory.push(sample.memory)
            }
          })
          .catch(() => undefined)
      }
      // Did it die meanwhile (during the request)?
      const death = await events.next(name, ['die'], 0)
      if (death || !result.passed) {
        const state = await containerState(docker, name)
        result.exitCode = state?.Running ? undefined : (state?.ExitCode ?? death?.exitCode)
        result.oomKilled = !!state?.OOMKilled || events.oomKilled(name)
        const hlog = (state?.Health?.Log ?? []).map(
          (l) => `exit ${l.ExitCode}: ${l.Output.trim() || '(no output)'}`
        )
        result.probeOutput = (probe.kind === 'http' ? probeLog : hlog).join('\n')
        const logs = await docker.run(['logs', '--tail', String(LOG_LINES), name], { quiet: true })
        result.logs = lastLines(logs.output, LOG_LINES)
        if (death) {
          result.passed = false
          result.verdict = result.oomKilled ? 'oom' : 'exited'
          const when = ((death.at - t0) / 1000).toFixed(1)
          result.message = result.oomKilled
            ? `The container was OOM-killed (out of memory${opts.memory ? ` under smoke-memory ${opts.memory}` : ''}) ` +
              `after ${when}s and exited with code ${result.exitCode ?? '?'}.`
            : `The container exited with code ${result.exitCode ?? '?'} after ${when}s` +
              `${readyAt === undefined ? ' before it was ready' : ''}.`
        } else if (result.verdict !== 'request-failed') {
          if (decided?.kind === 'unhealthy') {
            result.verdict = 'unhealthy'
            result.message = `The container became unhealthy after ${((decided.at - t0) / 1000).toFixed(1)}s (${state?.Health?.FailingStreak ?? '?'} failed checks in a row).`
          } else {
            result.verdict = 'timeout'
            result.message =
              `The container was not ready within smoke-timeout (${opts.timeoutSeconds}s); probe: ${probeText}.` +
              (result.oomKilled ? ' A process in it was OOM-killed.' : '')
          }
        }
        if (result.probeOutput && !result.message.includes('Response:'))
          result.message += `\nLast probe output:\n${lastLines(result.probeOutput, 3)}`
        if (result.logs) result.message += `\nLast log lines:\n${lastLines(result.logs, 10)}`
        for (const s of result.sidecars) {
          const l = await docker.run(
            ['logs', '--tail', '50', sidecarName(services.find((x) => x.name === s.name)!)],
            {
              quiet: true
            }
          )
          s.logs = lastLines(l.output, 50)
        }
      }
      return result
    } finally {
      stats?.stop()
      stream.stop()
      const removal = (async () => {
        await idle
        if (memory.length) {
          figures.memoryPeak = Math.max(...memory)
          figures.memorySamples = memory.length
        }
        for (const c of containers.reverse()) await removeContainer(docker, c)
        if (network) await removeNetwork(docker, network)
      })()
      if (opts.onRemoval) opts.onRemoval(removal)
      else await removal
    }
  }
}

function judgeRequest(req: SmokeRequest, r: HttpResult, expect?: RegExp): RequestResult {
  const passed = !r.error && is2xx(r.status) && (!expect || expect.test(r.body))
  return {
    method: req.method,
    path: req.path,
    status: r.status,
    ms: r.ms,
    passed,
    response: describeResponse(r, 1000)
  }
}

async function containerState(docker: Docker, name: string): Promise<ContainerState | undefined> {
  const res = await docker.run(['container', 'inspect', '--format', '{{json .State}}', name], {
    quiet: true
  })
  return res.code === 0 ? (JSON.parse(res.stdout) as ContainerState) : undefined
}

async function publishedPort(docker: Docker, name: string, port: string): Promise<number> {
  const res = await docker.check(['port', name, port], { quiet: true })
  const p = parsePortOutput(res.stdout)
  if (!p) throw new Error(`docker port ${name} ${port} printed no host port: ${res.stdout.trim()}`)
  return p
}

/** A sidecar with a HEALTHCHECK is waited for the same prompt way; one without, until it runs. */
async function sidecarHealth(docker: Docker, image: string): Promise<string[]> {
  const res = await docker.run(
    ['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', image],
    { quiet: true }
  )
  if (res.code !== 0) return [] // not local: `docker run` pulls it and reports what fails
  const hc = JSON.parse(res.stdout.trim() || 'null') as Healthcheck | null
  return hasHealthcheck(hc) ? healthFlags({ kind: 'healthcheck' }, hc, 0) : []
}

async function waitSidecar(
  docker: Docker,
  events: EventLog,
  s: Sidecar,
  name: string,
  deadline: number,
  started: number
): Promise<SidecarResult> {
  const hasCheck = (
    await docker.run(['container', 'inspect', '--format', '{{json .Config.Healthcheck}}', name], {
      quiet: true
    })
  ).stdout.includes('"Test"')
  const res: SidecarResult = {
    name: s.name,
    image: s.image,
    ready: false,
    seconds: 0,
    detail: '',
    logs: ''
  }
  const ev = hasCheck
    ? await events.next(name, ['healthy', 'unhealthy', 'die'], Math.max(0, deadline - Date.now()))
    : // Without a check, "ready" is: still running a moment after it started.
      await events.next(name, ['die'], 500)
  res.seconds = (Date.now() - started) / 1000
  if (hasCheck ? ev?.kind === 'healthy' : !ev) {
    res.ready = true
    res.detail = hasCheck ? 'healthy' : 'running (no HEALTHCHECK)'
    docker.log.info(`sidecar ${s.name}: ${res.detail} after ${res.seconds.toFixed(1)}s`)
    return res
  }
  res.detail =
    ev?.kind === 'die'
      ? `exited with code ${ev.exitCode ?? '?'}`
      : ev?.kind === 'unhealthy'
        ? 'became unhealthy'
        : 'was not healthy within smoke-timeout'
  const l = await docker.run(['logs', '--tail', '50', name], { quiet: true })
  res.logs = lastLines(l.output, 50)
  return res
}

/** Size, layers, compressed size and the published image: figures, never a reason to fail. */
async function measureImage(
  docker: Docker,
  image: string,
  figures: SmokeFigures,
  tags: string[],
  compressed?: CompressedSize
): Promise<void> {
  const history = await docker.run(
    ['image', 'history', '--no-trunc', '--human=false', '--format', '{{json .}}', image],
    { quiet: true }
  )
  if (history.code === 0) {
    const rows = parseHistory(history.stdout)
    figures.largestLayers = largestLayers(rows)
    figures.size = uncompressedSize(rows) || figures.size
  }
  if (compressed) figures.compressed = compressed
  else
    try {
      const save = docker.spawn(['save', image], { quiet: true })
      const measured = await measureSave(save.stdout as AsyncIterable<Buffer>)
      const end = await save.done
      if (end.code !== 0) throw new Error(lastLines(end.stderr, 3))
      figures.compressed = compressedFromSave(measured.manifest, measured.files)
    } catch (e) {
      docker.log.warning(
        `Could not measure the compressed size: ${e instanceof Error ? e.message : String(e)}`
      )
    }
  for (const ref of tags.slice(0, 1)) {
    const args = ['manifest', 'inspect', '--verbose']
    if (isLoopbackRegistry(ref)) args.push('--insecure')
    const res = await docker.run([...args, ref], { quiet: true, timeoutMs: 30_000 })
    if (res.code !== 0) {
      figures.publishedNote = isNotFound(res.output)
        ? `nothing published under ${ref} yet`
        : `could not read ${ref} from the registry: ${lastLines(res.output, 1)}`
      continue
    }
    const p = parsePublished(ref, res.stdout, `linux/${dockerArch()}`)
    if (!p) {
      figures.publishedNote = `${ref} has no linux/${dockerArch()} image`
      continue
    }
    const ours = figures.compressed
    const shared = ours?.digests.length
      ? ours.digests.filter((d) => p.layers.includes(d)).length
      : undefined
    figures.published = { ...p, change: ours ? ours.bytes - p.compressed : 0, sharedLayers: shared }
  }
}

export async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker.run(['rm', '--force', '--volumes', name], { quiet: true })
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  await docker.run(['network', 'rm', name], { quiet: true })
}
