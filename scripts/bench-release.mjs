#!/usr/bin/env node
// Release-path benchmark: `ml-docker run --push` against the usual test-before-push chain
// (setup-buildx-action + build-push-action `load: true` + `docker run` until healthy +
// `trivy image` + build-push-action `push: true` with a registry `cache-to`), with the same
// tools, on examples/ml-bench, for every engine (image store) of the test bed, cold and warm.
//
//   npm run build && npm run bench:release
//
// Needs the integration test bed (.ci/testbed.sh up); reads ~/.cache/ml-docker-testbed/env.json
// or $ML_DOCKER_TESTBED_ENV. Options: --engines containerd,classic (default: all of the bed's),
// --keep-logs (keep the per-step logs and reports), --table FILE (print the table again from the
// JSON line of an earlier run's output, without running anything), --ours-args "ARGS" (extra
// options for ours, split on spaces, e.g. "--cache-compression=gzip" to weigh a setting).
//
// cold: fresh builder, empty build cache (the daemon's own BuildKit is pruned), no image of the
//       run in the daemon, a repository the registry has never seen (so no registry cache), a
//       fresh copy of the Trivy DB (no layer-analysis cache).
// warm: a code-only change (one line appended to app/service.py, in a copy of the context),
//       again a fresh builder, pruned daemon BuildKit and no local image, but the registry cache
//       and the pushed image of the cold run are there, and each side's Trivy cache of its cold
//       run (layer analyses included); the release moves the same floating tags.
// The chain and ours run alternately (the machine is shared), with the order swapped per engine.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const EXAMPLE = path.join(ROOT, 'examples', 'ml-bench')
const POLL_MS = 500 // the same health polling interval as the smoke stage
const HEALTH_TIMEOUT_MS = 180_000
const TARGETS = { containerd: { cold: 0.8, warm: 0.6 }, classic: { cold: 1.0, warm: 1.0 } }

function fail(message) {
  process.stderr.write(`bench:release: ${message}\n`)
  process.exit(1)
}

function parseArgs(argv) {
  const opts = { engines: undefined, keepLogs: false, table: undefined, oursArgs: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--engines') opts.engines = (argv[++i] ?? '').split(',').filter(Boolean)
    else if (a.startsWith('--engines=')) opts.engines = a.slice(10).split(',').filter(Boolean)
    else if (a === '--keep-logs') opts.keepLogs = true
    else if (a === '--table') opts.table = argv[++i]
    else if (a === '--ours-args') opts.oursArgs = (argv[++i] ?? '').split(' ').filter(Boolean)
    else if (a.startsWith('--ours-args=')) opts.oursArgs = a.slice(12).split(' ').filter(Boolean)
    else
      fail(
        `unknown option ${a} (known: --engines a,b, --keep-logs, --table FILE, --ours-args "ARGS")`
      )
  }
  return opts
}

/**
 * The table (markdown) from the JSON line, in seconds. `rest` is what the phases do not cover:
 * login, lint and meta, the builder's and containers' removal (the post steps); for ours, the
 * smoke test and the scan overlap, so only the longer of the two counts.
 */
function report(json) {
  const f = (s) => (s === undefined ? '' : s.toFixed(1))
  const lines = [
    '| engine (store) | run | side | build | smoke | scan | push | rest | total (s) | ours/chain |',
    '|---|---|---|---|---|---|---|---|---|---|'
  ]
  for (const r of json.runs) {
    const target = TARGETS[r.store]?.[r.phase]
    for (const side of ['chain', 'ours']) {
      const t = r[side]
      const gates = side === 'ours' ? Math.max(t.smoke, t.scan) : t.smoke + t.scan
      const rest = t.total - t.build - gates - t.push
      const ratio =
        side === 'ours'
          ? `${r.ratio.toFixed(2)} (target ${r.store === 'classic' ? '<' : '<='} ${target})`
          : ''
      lines.push(
        `| ${r.engine} (${r.store}) | ${r.phase} | ${side === 'ours' ? 'ml-docker run' : 'chain'} | ` +
          `${f(t.build)} | ${f(t.smoke)} | ${f(t.scan)} | ${f(t.push)} | ${f(rest)} | ${f(t.total)} | ${ratio} |`
      )
    }
  }
  const phases = json.runs.map(
    (r) =>
      `${r.engine} ${r.phase}: ` +
      ['build', 'smoke', 'scan', 'push']
        .map((k) => `${k} ${(r.ours[k] / r.chain[k]).toFixed(2)}`)
        .join(', ')
  )
  const sizes = [...new Set(json.runs.map((r) => Math.round(r.chain.imageBytes / 1e6)))]
  return (
    `${lines.join('\n')}\n\n` +
    `Per phase, ours/chain: ${phases.join('; ')}.\n` +
    `Image: ${sizes.join(', ')} MB (the daemon's size of the loaded image). Docker ${json.docker}, ` +
    `${json.cpus} CPUs, load average ${json.loadavg?.start?.[0]} at the start, ${json.loadavg?.end?.[0]} at the end.\n`
  )
}

const opts = parseArgs(process.argv.slice(2))
if (opts.table) {
  // Reprints the table of an earlier run from its output (the JSON line).
  const line = readFileSync(opts.table, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('{"bench":"release"'))
  if (!line) fail(`no bench:release JSON line in ${opts.table}`)
  process.stdout.write(report(JSON.parse(line)))
  process.exit(0)
}
const envFile =
  process.env.ML_DOCKER_TESTBED_ENV ||
  path.join(os.homedir(), '.cache', 'ml-docker-testbed', 'env.json')
if (!existsSync(envFile)) fail(`no test bed description at ${envFile}: bring the test bed up first`)
const bed = JSON.parse(readFileSync(envFile, 'utf8'))
if (!existsSync(CLI)) fail(`${CLI} is missing: run "npm run build" first`)
const engines = (
  bed.engines ?? [{ name: 'default', store: 'containerd', dockerHost: bed.dockerHost }]
).filter((e) => !opts.engines || opts.engines.includes(e.name))
if (!engines.length) fail(`no engine of the test bed matches --engines ${opts.engines?.join(',')}`)

const work = mkdtempSync(path.join(os.tmpdir(), 'ml-bench-release-'))
const logDir = path.join(work, 'logs')
mkdirSync(logDir)
const suffix = randomBytes(3).toString('hex')
// Trivy from the bed on PATH (the version the action pins), buildx with its own defaults.
const baseEnv = { ...process.env, PATH: `${bed.binDir}${path.delimiter}${process.env.PATH}` }
delete baseEnv.BUILDX_NO_DEFAULT_ATTESTATIONS
let step = 0

/**
 * Runs a command; its output goes to a log file of its own (or `logTo`, appended).
 * Returns { code, ms, out, log }.
 */
function run(cmd, args, { env = baseEnv, input, label, logTo, check = true, cwd = ROOT } = {}) {
  const log =
    logTo ??
    path.join(logDir, `${String(++step).padStart(3, '0')}-${label ?? path.basename(cmd)}.log`)
  appendFileSync(log, `$ ${cmd} ${args.join(' ')}\n`)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env,
      cwd,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    const chunks = []
    const keep = (d) => {
      chunks.push(d)
      appendFileSync(log, d)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', reject)
    child.on('close', (code) => {
      const res = {
        code,
        ms: performance.now() - started,
        out: Buffer.concat(chunks).toString('utf8'),
        log
      }
      if (check && code !== 0) {
        const tail = res.out.trim().split('\n').slice(-15).join('\n')
        reject(
          new Error(
            `${cmd} ${args.slice(0, 3).join(' ')} ... exited ${code} (log: ${log})\n${tail}`
          )
        )
      } else resolve(res)
    })
    if (input !== undefined) {
      // A command that exits before reading its input must fail on its exit code, not on EPIPE.
      child.stdin.on('error', () => undefined)
      child.stdin.end(input)
    }
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** A copy of the example; `change` appends a code-only line to the app's source. */
function context(name, change) {
  const dir = path.join(work, name)
  cpSync(EXAMPLE, dir, { recursive: true })
  if (change) appendFileSync(path.join(dir, 'app', 'service.py'), `# release ${change}\n`)
  return dir
}

/**
 * One Trivy cache per side and engine: the bed's (offline) DB, fresh for the cold run, kept for the
 * warm one, layer analyses included. Both sides keep it alike: the chain's trivy-action saves its
 * whole cache directory in the Actions cache, and ours keeps Trivy's layer cache between runs.
 */
function trivyCache(name) {
  const dir = path.join(work, `trivy-${name}`)
  if (!existsSync(dir))
    cpSync(path.join(bed.trivyCacheClean, 'db'), path.join(dir, 'db'), { recursive: true })
  return dir
}

async function removeImages(env, patterns) {
  const ls = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], {
    env,
    label: 'image-ls'
  })
  const refs = ls.out
    .split('\n')
    .map((l) => l.trim())
    .filter((r) => r && patterns.some((p) => r.startsWith(p)))
  if (refs.length)
    await run('docker', ['image', 'rm', '-f', ...refs], { env, label: 'image-rm', check: false })
}

async function resetDaemonBuildkit(engine, env) {
  // Only the containerd store's daemon BuildKit builds anything here ("ours" on that store).
  if (engine.store === 'containerd')
    await run('docker', ['buildx', 'prune', '-af', '--builder', 'default'], {
      env,
      label: 'prune-default'
    })
}

async function waitHealthy(env, name) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS
  for (;;) {
    const r = await run('docker', ['inspect', '--format', '{{.State.Health.Status}}', name], {
      env,
      logTo: path.join(logDir, `${name}-health.log`)
    })
    const status = r.out.trim()
    if (status === 'healthy') return
    if (status === 'unhealthy' || Date.now() > deadline)
      throw new Error(`container ${name} is ${status}`)
    await sleep(POLL_MS)
  }
}

function releaseTags(image, version) {
  const [major, minor] = version.split('.')
  return [version, `${major}.${minor}`, major, 'latest'].map((t) => `${image}:${t}`)
}

/** The chain: login-action, setup-buildx-action, build-push-action (load), docker run, trivy, build-push-action (push). */
async function chain(engine, { ctx, image, version, trivyDir }) {
  const env = {
    ...baseEnv,
    DOCKER_HOST: engine.dockerHost,
    DOCKER_CONFIG: mkdtempSync(path.join(work, 'docker-config-'))
  }
  const builder = `bench-chain-${suffix}-${randomBytes(2).toString('hex')}`
  const tags = releaseTags(image, version).flatMap((t) => ['-t', t])
  const cacheRef = `${image}:buildcache`
  const common = [
    '--builder',
    builder,
    '--build-arg',
    `BASE_IMAGE=${bed.pythonImage}`,
    '--cache-from',
    `type=registry,ref=${cacheRef}`,
    ...tags
  ]
  const t = {}
  const started = performance.now()
  let container
  try {
    t.login = (
      await run('docker', ['login', '--username', bed.username, '--password-stdin', bed.registry], {
        env,
        input: bed.password,
        label: 'chain-login'
      })
    ).ms
    const create = await run(
      'docker',
      [
        'buildx',
        'create',
        '--name',
        builder,
        '--driver',
        'docker-container',
        '--driver-opt',
        `image=${bed.buildkitImage}`,
        '--driver-opt',
        'network=host',
        '--buildkitd-config',
        bed.buildkitdConfig,
        '--bootstrap'
      ],
      { env, label: 'chain-setup-buildx' }
    )
    const load = await run(
      'docker',
      [
        'buildx',
        'build',
        ...common,
        '--load',
        '--metadata-file',
        path.join(work, `${builder}-load.json`),
        ctx
      ],
      {
        env,
        label: 'chain-build-load'
      }
    )
    t.build = create.ms + load.ms
    const size = await run(
      'docker',
      ['image', 'inspect', '--format', '{{.Size}}', `${image}:${version}`],
      { env, label: 'chain-size' }
    )
    t.imageBytes = Number(size.out.trim())
    container = `bench-chain-${suffix}-${randomBytes(2).toString('hex')}`
    const smokeStart = performance.now()
    await run('docker', ['run', '-d', '--name', container, `${image}:${version}`], {
      env,
      label: 'chain-run'
    })
    await waitHealthy(env, container)
    await run('docker', ['rm', '-f', container], { env, label: 'chain-rm' })
    container = undefined
    t.smoke = performance.now() - smokeStart
    t.scan = (
      await run(
        bed.trivyBin,
        [
          'image',
          '--image-src',
          'docker',
          '--cache-dir',
          trivyDir,
          '--skip-db-update',
          '--skip-java-db-update',
          '--skip-check-update',
          '--skip-version-check',
          '--disable-telemetry',
          '--no-progress',
          '--severity',
          'CRITICAL,HIGH',
          '--exit-code',
          '1',
          '--format',
          'json',
          '--output',
          path.join(trivyDir, 'report.json'),
          `${image}:${version}`
        ],
        { env, label: 'chain-trivy' }
      )
    ).ms
    const pushMeta = path.join(work, `${builder}-push.json`)
    t.push = (
      await run(
        'docker',
        [
          'buildx',
          'build',
          ...common,
          '--push',
          '--cache-to',
          `type=registry,ref=${cacheRef},mode=max`,
          '--metadata-file',
          pushMeta,
          ctx
        ],
        { env, label: 'chain-build-push' }
      )
    ).ms
    t.digest = JSON.parse(readFileSync(pushMeta, 'utf8'))['containerimage.digest']
  } finally {
    if (container)
      await run('docker', ['rm', '-f', container], { env, label: 'chain-rm', check: false })
    // setup-buildx-action's post step
    await run('docker', ['buildx', 'rm', builder], { env, label: 'chain-buildx-rm', check: false })
    rmSync(env.DOCKER_CONFIG, { recursive: true, force: true })
  }
  t.total = performance.now() - started
  return t
}

/** Ours: one `ml-docker run` as a tag release, with the same registry, base image and Trivy DB. */
async function ours(engine, { ctx, image, version, trivyDir }) {
  const eventPath = path.join(work, `event-${version}.json`)
  const sha = randomBytes(20).toString('hex')
  writeFileSync(
    eventPath,
    JSON.stringify({
      ref: `refs/tags/v${version}`,
      repository: {
        full_name: 'acme/ml-bench',
        name: 'ml-bench',
        default_branch: 'main',
        html_url: 'https://github.com/acme/ml-bench'
      },
      head_commit: { id: sha, timestamp: new Date().toISOString() }
    })
  )
  const env = {
    ...baseEnv,
    DOCKER_HOST: engine.dockerHost,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: `refs/tags/v${version}`,
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: 'acme/ml-bench',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: work
  }
  const args = [
    CLI,
    'run',
    ctx,
    '--images',
    image,
    // The chain's four tags (metadata-action's semver rules), no more.
    '--tags',
    ['{{version}}', '{{major}}.{{minor}}', '{{major}}']
      .map((p) => `type=semver,pattern=${p}`)
      .join('\n'),
    '--push=true',
    '--registry',
    bed.registry,
    '--username',
    bed.username,
    '--password-stdin',
    '--build-args',
    `BASE_IMAGE=${bed.pythonImage}`,
    '--trivy-cache-dir',
    trivyDir,
    '--scan-skip-db-update=true',
    '--summary=false'
  ]
  // The classic store: the run creates its own docker-container builder from the bed's BuildKit.
  if (engine.store !== 'containerd')
    args.push('--buildkit-image', bed.buildkitImage, '--buildkitd-config', bed.buildkitdConfig)
  args.push(...opts.oursArgs)
  const res = await run(process.execPath, args, { env, input: bed.password, label: 'ours-run' })
  const t = { total: res.ms }
  for (const line of res.out.split('\n')) {
    const m =
      /^\s{2}(lint|meta|login|build|smoke|scan|push)\s+(passed|failed|skipped)\s+(?:([\d.]+)s)?/.exec(
        line
      )
    if (m) t[m[1]] = m[3] ? Number(m[3]) * 1000 : 0
  }
  const plan = /plan: (.*)/.exec(res.out)?.[1]
  t.digest = /^digest: (\S+)/m.exec(res.out)?.[1]
  t.plan = plan
  for (const k of ['build', 'smoke', 'scan', 'push'])
    if (t[k] === undefined) throw new Error(`no ${k} time in ${res.log}`)
  return t
}

const results = []
const loadStart = os.loadavg()
const dockerVersion = (
  await run('docker', ['version', '--format', '{{.Server.Version}}'], { label: 'version' })
).out.trim()
process.stdout.write(
  `bench:release on examples/ml-bench, Docker ${dockerVersion}, ${os.cpus().length} CPUs, ` +
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; logs in ${logDir}\n`
)

for (const [index, engine] of engines.entries()) {
  const env = { ...baseEnv, DOCKER_HOST: engine.dockerHost }
  const repos = {
    chain: `${bed.registry}/bench/ml-bench-chain-${engine.name}-${suffix}`,
    ours: `${bed.registry}/bench/ml-bench-ours-${engine.name}-${suffix}`
  }
  const order = index % 2 === 0 ? ['chain', 'ours'] : ['ours', 'chain']
  const phases = [
    { phase: 'cold', version: '1.0.0', change: undefined },
    { phase: 'warm', version: '1.0.1', change: `1.0.1 ${suffix}` }
  ]
  for (const { phase, version, change } of phases) {
    const row = { engine: engine.name, store: engine.store, phase }
    for (const side of order) {
      const ctx = context(`ml-bench-${side}-${engine.name}-${phase}-${suffix}`, change)
      await removeImages(env, [repos.chain, repos.ours, 'ml-docker-local/ml-bench-'])
      await resetDaemonBuildkit(engine, env)
      process.stdout.write(`${engine.name} ${phase} ${side} ...`)
      const fn = side === 'chain' ? chain : ours
      row[side] = await fn(engine, {
        ctx,
        image: repos[side],
        version,
        trivyDir: trivyCache(`${side}-${engine.name}`)
      })
      process.stdout.write(` ${(row[side].total / 1000).toFixed(1)} s\n`)
      rmSync(ctx, { recursive: true, force: true })
    }
    results.push(row)
  }
  await removeImages(env, [repos.chain, repos.ours, 'ml-docker-local/ml-bench-'])
}

const loadEnd = os.loadavg()
const json = {
  bench: 'release',
  docker: dockerVersion,
  cpus: os.cpus().length,
  ...(opts.oursArgs.length ? { oursArgs: opts.oursArgs.join(' ') } : {}),
  loadavg: {
    start: loadStart.map((l) => Number(l.toFixed(1))),
    end: loadEnd.map((l) => Number(l.toFixed(1)))
  },
  runs: results.map((r) => ({
    engine: r.engine,
    store: r.store,
    phase: r.phase,
    ratio: Number((r.ours.total / r.chain.total).toFixed(3)),
    ...Object.fromEntries(
      ['chain', 'ours'].map((side) => [
        side,
        Object.fromEntries(
          Object.entries(r[side]).map(([k, v]) => [
            k,
            typeof v === 'number' && k !== 'imageBytes' ? Number((v / 1000).toFixed(2)) : v
          ])
        )
      ])
    )
  }))
}
process.stdout.write(`\n${report(json)}\n${JSON.stringify(json)}\n`)
if (!opts.keepLogs) rmSync(work, { recursive: true, force: true })
