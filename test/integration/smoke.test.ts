import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cleanup } from '../../src/cleanup.js'
import { Docker } from '../../src/docker.js'
import type { CleanupState } from '../../src/pipeline.js'
import { ConsoleLogger } from '../../src/log.js'
import { smoke, SMOKE_LABEL, type SmokeOptions, type SmokeResult } from '../../src/smoke/index.js'
import { parseRequest } from '../../src/smoke/spec.js'
import { execFileSync } from 'node:child_process'
import { describeTestbed, ROOT, uniqueName, type Testbed } from './testbed.js'

/**
 * The smoke stage against the real Engine, called through its TypeScript entry point. Each test
 * has its own run id and checks that no container or network of it is left behind.
 */
/**
 * docker, with this process's environment passed on explicitly: under Jest, \`process.env\` is a
 * copy that children would not otherwise see, and DOCKER_HOST picks the Engine.
 */
function sh(bin: string, args: string[], opts: { input?: string } = {}): string {
  return execFileSync(bin, args, {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    input: opts.input,
    env: { ...process.env }
  })
}

const fixture = (name: string): string => path.join(ROOT, 'test', 'fixtures', 'smoke', name)
const latencies: { what: string; ms: number }[] = []

function leftovers(runId: string): string[] {
  const filter = `label=${SMOKE_LABEL}=${runId}`
  const containers = sh('docker', ['ps', '-aq', '--filter', filter]).split('\n').filter(Boolean)
  const networks = sh('docker', ['network', 'ls', '-q', '--filter', filter])
    .split('\n')
    .filter(Boolean)
  return [...containers.map((c) => `container ${c}`), ...networks.map((n) => `network ${n}`)]
}

interface Engine {
  name: string
  store: string
  dockerHost: string
}

/** Every Engine the bed runs (containerd and classic image stores), else the default one. */
function engines(bed: Testbed): Engine[] {
  const listed = (bed as unknown as { engines?: Engine[] }).engines
  return listed?.length ? listed : [{ name: 'default', store: 'default', dockerHost: '' }]
}

/**
 * Whether containers on a user-defined network reach each other on the current Engine. An Engine
 * run with --iptables=false next to one that set the host's FORWARD policy to DROP cannot; the
 * reason is returned then.
 */
function bridgeBlocked(bed: Testbed, serverImage: string): string | undefined {
  const net = uniqueName('ml-docker-smoke-probe')
  const server = `${net}-server`
  try {
    sh('docker', ['network', 'create', net])
    sh('docker', [
      'run',
      '-d',
      '--name',
      server,
      '--network',
      net,
      '--network-alias',
      'server',
      serverImage
    ])
    sh('docker', [
      'run',
      '--rm',
      '--network',
      net,
      bed.pythonImage,
      'python3',
      '-c',
      'import socket, time\nfor i in range(20):\n    try:\n        socket.create_connection(("server", 6379), 1).close(); break\n    except OSError as e:\n        err = e; time.sleep(0.25)\nelse:\n    raise SystemExit(f"server:6379 unreachable: {err}")'
    ])
    return undefined
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e)
      .trim()
      .split('\n')
      .slice(-1)[0]
  } finally {
    sh('docker', ['rm', '-f', server])
    sh('docker', ['network', 'rm', net])
  }
}

describeTestbed('smoke stage', (bed: Testbed) => {
  for (const engine of engines(bed)) stageTests(bed, engine)
})

function stageTests(bed: Testbed, engine: Engine): void {
  describe(`on the ${engine.store} image store`, () => {
    const saved = process.env.DOCKER_HOST
    // Every docker command of these tests (and of the code under test) goes to this Engine.
    beforeAll(() => {
      if (engine.dockerHost) process.env.DOCKER_HOST = engine.dockerHost
    })
    afterAll(() => {
      if (saved === undefined) delete process.env.DOCKER_HOST
      else process.env.DOCKER_HOST = saved
    })
    suite(bed, engine)
  })
}

function suite(bed: Testbed, engine: Engine): void {
  const tag = uniqueName('ml-docker-smoke-it/img')
  const images: Record<string, string> = {}
  const lines: string[] = []
  const log = new ConsoleLogger(
    (s) => lines.push(s),
    (s) => lines.push(s)
  )
  const docker = new Docker(log)
  let dockerConfig = ''

  const build = (name: string, ctx: string, base: string): void => {
    const ref = `${tag}-${name}`
    sh('docker', [
      'buildx',
      'build',
      '--builder',
      bed.builder,
      '--progress',
      'quiet',
      '--provenance=false',
      '--sbom=false',
      '--load',
      '--build-arg',
      `BASE_IMAGE=${base}`,
      '-t',
      ref,
      ctx
    ])
    images[name] = ref
  }

  beforeAll(() => {
    build('exit7', fixture('exit7'), bed.busyboxImage)
    build('oom', fixture('oom'), bed.pythonImage)
    build('http', fixture('http-probe'), bed.pythonImage)
    build('redis-client', fixture('needs-redis'), bed.pythonImage)
    build('service', path.join(ROOT, 'examples', 'ml-service'), bed.pythonImage)
  }, 900_000)

  afterAll(() => {
    for (const ref of Object.values(images)) sh('docker', ['rmi', '--force', ref])
    if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true })
    if (latencies.length) {
      const sorted = latencies.map((l) => l.ms).sort((a, b) => a - b)
      console.log(
        `event-to-verdict latency over ${sorted.length} verdicts: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, ` +
          `max ${sorted[sorted.length - 1].toFixed(0)} ms\n` +
          latencies.map((l) => `  ${l.what}: ${l.ms.toFixed(0)} ms`).join('\n')
      )
      latencies.length = 0
    }
  })

  const run = async (
    what: string,
    image: string,
    opts: Partial<SmokeOptions> = {}
  ): Promise<SmokeResult> => {
    const runId = uniqueName('it')
    lines.length = 0
    let result: SmokeResult | undefined
    try {
      result = await smoke(image, docker, { timeoutSeconds: 60, env: {}, runId, ...opts })
      if (result.verdictLatencyMs !== undefined)
        latencies.push({
          what: `${engine.store}: ${what} (${result.verdict})`,
          ms: result.verdictLatencyMs
        })
      return result
    } finally {
      // Whatever happened: nothing of this run is left on the daemon.
      expect(leftovers(runId)).toEqual([])
      if (result && !result.passed) lines.push(`message: ${result.message}`)
    }
  }

  it('reports the exit code of a process that exits, with its last log lines, at once', async () => {
    const r = await run('exit 7', images.exit7)
    expect(r.passed).toBe(false)
    expect(r.verdict).toBe('exited')
    expect(r.exitCode).toBe(7)
    expect(r.message).toMatch(/exited with code 7 after [\d.]+s before it was ready/)
    expect(r.message).toContain('fatal: /models/clf.onnx: no such file or directory')
    expect(r.logs).toContain('loading model from /models/clf.onnx')
    // Not after the image's 30 s interval, nor after a poll: when the die event arrives.
    expect(r.seconds).toBeLessThan(5)
    expect(r.verdictLatencyMs).toBeLessThan(200)
  }, 120_000)

  it('reports an OOM kill under smoke-memory as such', async () => {
    const r = await run('oom', images.oom, { memory: '64m' })
    expect(r.verdict).toBe('oom')
    expect(r.oomKilled).toBe(true)
    expect(r.message).toMatch(/OOM-killed \(out of memory under smoke-memory 64m\)/)
    expect(r.exitCode).toBe(137)
    expect(r.logs).toContain('loading model weights')
  }, 120_000)

  it('probes an image without HEALTHCHECK over HTTP, and refuses it without a probe', async () => {
    const r = await run('http probe', images.http, {
      probe: { kind: 'http', port: 8080, path: '/health', url: 'http://:8080/health' },
      env: { READY_AFTER: '1' }
    })
    if (!r.passed) console.log(lines.join('\n'))
    expect(r.passed).toBe(true)
    expect(r.figures.readySeconds).toBeGreaterThanOrEqual(0.9)
    expect(r.figures.readySeconds).toBeLessThan(3)
    expect(r.probe).toBe('HTTP GET http://:8080/health answers 2xx')

    // The same service with a command probe, run in the container by Docker.
    const cmd = await run('cmd probe', images.http, {
      probe: {
        kind: 'cmd',
        command: `python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=1)"`
      },
      env: { READY_AFTER: '1' }
    })
    if (!cmd.passed) console.log(lines.join('\n'))
    expect(cmd.passed).toBe(true)
    expect(cmd.figures.readySeconds).toBeGreaterThanOrEqual(0.9)
    expect(cmd.figures.readySeconds).toBeLessThan(3)
    // A command that never succeeds ends at smoke-timeout, with its last outputs.
    const never = await run('cmd probe, never', images.http, {
      probe: { kind: 'cmd', command: 'echo "model not loaded"; exit 1' },
      timeoutSeconds: 3
    })
    expect(never.verdict).toBe('timeout')
    expect(never.message).toMatch(/not ready within smoke-timeout \(3s\)/)
    expect(never.probeOutput).toContain('exit 1: model not loaded')

    // An HTTP probe of a process that exits at once: the exit is the verdict.
    const dead = await run('http probe, exit', images.http, {
      probe: { kind: 'http', port: 8080, path: '/health', url: 'http://:8080/health' },
      args: ['sh', '-c', 'echo "no model"; exit 3']
    })
    expect(dead.verdict).toBe('exited')
    expect(dead.exitCode).toBe(3)
    expect(dead.logs).toContain('no model')

    const refused = await run('no probe', images.http)
    expect(refused.verdict).toBe('no-healthcheck')
    expect(refused.message).toMatch(/no HEALTHCHECK.*Set smoke-probe/)
  }, 120_000)

  it("declares a service ready after about 1 s although the image's check runs every 5 s", async () => {
    const r = await run('healthcheck, 1 s warm-up', images.service, {
      env: { MODEL_WARMUP_SECONDS: '1' }
    })
    if (!r.passed) console.log(lines.join('\n'))
    expect(r.passed).toBe(true)
    expect(r.verdict).toBe('healthy')
    expect(r.figures.readySeconds).toBeGreaterThanOrEqual(1)
    expect(r.figures.readySeconds).toBeLessThan(2.5)
    expect(lines.join('\n')).toContain('--health-start-interval 250ms')
    expect(r.verdictLatencyMs).toBeLessThan(200)
  }, 120_000)

  it('sends the prediction, checks the answer, reports its latency and the figures', async () => {
    const request = parseRequest(
      readFileSync(path.join(ROOT, 'examples', 'ml-service', 'predict.http'), 'utf8')
    )
    const r = await run('prediction', images.service, {
      request,
      expect: /"label":\s*"setosa"/,
      readOnly: true,
      shmSize: '128m'
    })
    expect(lines.join('\n')).toMatch(/--shm-size 128m --read-only --tmpfs \/tmp/)
    if (!r.passed) console.log(lines.join('\n'))
    expect(r.passed).toBe(true)
    expect(r.request).toMatchObject({ method: 'POST', path: '/predict', status: 200, passed: true })
    expect(r.request!.ms).toBeGreaterThan(0)
    const f = r.figures
    expect(f.memoryIdle).toBeGreaterThan(5_000_000)
    expect(f.memoryPeak).toBeGreaterThanOrEqual(f.memoryIdle!)
    expect(f.size).toBeGreaterThan(50_000_000)
    expect(f.compressed!.bytes).toBeGreaterThan(10_000_000)
    expect(f.compressed!.bytes).toBeLessThan(f.size!)
    // Five, or four where the classic store records WORKDIR as an empty layer.
    expect(f.largestLayers.length).toBeGreaterThanOrEqual(4)
    expect(f.largestLayers.length).toBeLessThanOrEqual(5)
    expect(f.largestLayers[0].size).toBeGreaterThanOrEqual(f.largestLayers.at(-1)!.size)
    // The venv built in the builder stage is the largest layer after the base.
    expect(f.largestLayers.map((l) => l.instruction)).toContain('COPY /opt/venv /opt/venv')
  }, 180_000)

  it('fails a prediction whose answer does not match, and shows status and body', async () => {
    const r = await run('prediction mismatch', images.service, {
      request: parseRequest('POST /predict\n\n{"features": [5.1, 3.5, 1.4, 0.2]}'),
      expect: /"label":\s*"versicolor"/
    })
    expect(r.verdict).toBe('request-failed')
    expect(r.message).toMatch(/does not match smoke-expect/)
    expect(r.message).toMatch(/Response: HTTP 200: .*"label": "setosa"/)
    const bad = await run('prediction 400', images.service, {
      request: parseRequest('POST /predict\n\n{"features": [1]}')
    })
    expect(bad.verdict).toBe('request-failed')
    expect(bad.message).toMatch(/status 400 \(2xx required\)/)
    expect(bad.message).toContain('expected rows of 4 features')
  }, 180_000)

  it('starts a sidecar the service reaches by name; without it the service fails', async () => {
    const redis = bed.extra.smoke?.redisImage as string | undefined
    if (!redis) throw new Error('bed.extra.smoke.redisImage is missing: run .ci/testbed.d/smoke.sh')
    const why = bridgeBlocked(bed, redis)
    if (why) {
      throw new Error(
        `containers on one network of the ${engine.store} Engine cannot reach each other (${why}); ` +
          '.ci/testbed.sh accepts forwarding between its bridges: re-run it'
      )
    }
    const r = await run('sidecar', images['redis-client'], {
      services: [{ name: 'redis', image: redis }]
    })
    if (!r.passed) console.log(lines.join('\n'))
    expect(r.passed).toBe(true)
    expect(r.sidecars).toMatchObject([{ name: 'redis', ready: true, detail: 'healthy' }])

    const alone = await run('no sidecar', images['redis-client'], { timeoutSeconds: 20 })
    expect(alone.passed).toBe(false)
    expect(alone.verdict).toBe('unhealthy')
    expect(alone.logs).toMatch(/redis at redis:6379 unreachable/)
  }, 180_000)

  it('after a cancel, the post step removes the containers and the network', async () => {
    const redis = bed.extra.smoke?.redisImage as string
    const runId = uniqueName('it')
    const state: CleanupState = { containers: [] }
    const service = `ml-docker-smoke-${runId}`
    const running = smoke(images['redis-client'], docker, {
      timeoutSeconds: 60,
      env: { REDIS_HOST: 'nowhere' },
      runId,
      services: [{ name: 'redis', image: redis }],
      onContainer: (name) => state.containers.push(name),
      onNetwork: (name) => (state.networks = [...(state.networks ?? []), name])
    })
    const until = Date.now() + 30_000
    while (Date.now() < until) {
      const up = sh('docker', ['ps', '-q', '--filter', `name=^${service}$`]).trim()
      if (up) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(state.containers).toEqual([`${service}-redis`, service])
    expect(state.networks).toEqual([service])
    // What the post step does with the saved state when the job was cancelled mid-test.
    await cleanup(state, log)
    expect(leftovers(runId)).toEqual([])
    const r = await running
    expect(r.passed).toBe(false)
    expect(r.verdict).toBe('exited')
    expect(leftovers(runId)).toEqual([])
  }, 120_000)

  it('fails an image above max-image-size before running it', async () => {
    const r = await run('too large', images.exit7, { maxImageSize: 1_000_000 })
    expect(r.verdict).toBe('too-large')
    expect(r.message).toMatch(/uncompressed, above max-image-size \(1\.00MB\)/)
    expect(r.figures.size).toBeGreaterThan(1_000_000)
  }, 60_000)

  it('compares the size with the image published under the first tag', async () => {
    dockerConfig = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-config-'))
    writeFileSync(path.join(dockerConfig, 'config.json'), '{}')
    const published = `${bed.registry}/${uniqueName('acme/smoke-size')}:main`
    sh(
      'docker',
      ['--config', dockerConfig, 'login', bed.registry, '-u', bed.username, '--password-stdin'],
      { input: bed.password }
    )
    sh('docker', ['tag', images.http, published])
    sh('docker', ['--config', dockerConfig, 'push', '-q', published])
    sh('docker', ['rmi', published])
    const authed = new Docker(log, { dockerConfig })
    const r = await smoke(images.service, authed, {
      timeoutSeconds: 60,
      env: {},
      runId: uniqueName('it'),
      compareWith: [published],
      maxImageSize: 2_000_000_000
    })
    expect(r.passed).toBe(true)
    const p = r.figures.published!
    expect(p.ref).toBe(published)
    expect(p.compressed).toBeGreaterThan(1_000_000)
    expect(p.change).toBe(r.figures.compressed!.bytes - p.compressed)
    // Both are built on the same base image: its layer is shared.
    if (r.figures.compressed!.method === 'stored') expect(p.sharedLayers).toBeGreaterThanOrEqual(1)

    const none = await smoke(images.exit7, authed, {
      timeoutSeconds: 10,
      env: {},
      runId: uniqueName('it'),
      compareWith: [`${bed.registry}/${uniqueName('acme/never')}:main`]
    })
    expect(none.figures.published).toBeUndefined()
    expect(none.figures.publishedNote).toMatch(/nothing published under/)
  }, 180_000)
}
