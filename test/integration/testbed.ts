import { describe, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, cpSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { announceSkip, isCI } from '../loud-skip.js'

/** What .ci/testbed.sh started, as it describes itself in env.json. */
export interface Testbed {
  registry: string
  username: string
  password: string
  baseRegistry: string
  pythonImage: string
  busyboxImage: string
  buildkitImage: string
  buildkitdConfig: string
  privilegedContainers: boolean
  builder: string
  buildkitdSocket: string
  buildkitdBin: string
  buildctlBin: string
  trivyBin: string
  trivyCacheClean: string
  trivyCacheVulnerable: string
  /** The Docker 29 engines: the containerd image store (default socket) and the classic store. */
  engines: Engine[]
  actBin: string
  /** What each .ci/testbed.d/<area>.sh provisioned, from $TB/env.d/<area>.json. */
  extra: Record<string, Record<string, unknown>>
}

export interface Engine {
  name: string
  store: 'containerd' | 'classic'
  dockerHost: string
}

export const ROOT = path.resolve(new URL('../../', import.meta.url).pathname)
export const TESTBED_HOME =
  process.env.ML_DOCKER_TESTBED_HOME || path.join(os.homedir(), '.cache', 'ml-docker-testbed')

function probe(): { bed?: Testbed; why?: string } {
  const file = path.join(TESTBED_HOME, 'env.json')
  if (!existsSync(file)) return { why: `${file} is missing` }
  const bed = JSON.parse(readFileSync(file, 'utf8')) as Testbed
  bed.extra = {}
  const extraDir = path.join(TESTBED_HOME, 'env.d')
  if (existsSync(extraDir)) {
    for (const f of readdirSync(extraDir).filter((n) => n.endsWith('.json'))) {
      bed.extra[f.slice(0, -5)] = JSON.parse(
        readFileSync(path.join(extraDir, f), 'utf8')
      ) as Record<string, unknown>
    }
  }
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe' })
  } catch {
    return { why: 'the Docker daemon is not running' }
  }
  for (const bin of [bed.trivyBin, bed.buildkitdBin]) {
    if (!existsSync(bin)) return { why: `${bin} is missing` }
  }
  return { bed }
}

const state = probe()

/**
 * Integration suites run against the real test bed, on the bundles in dist/ (rebuilt from the
 * current sources by global-setup.ts before any suite starts). In CI a missing test bed fails
 * the suite; elsewhere the suite is skipped with one SKIPPED line on stderr saying why.
 */
export function describeTestbed(name: string, fn: (bed: Testbed) => void): void {
  if (state.bed) {
    describe(name, () => fn(state.bed!))
    return
  }
  if (isCI()) {
    describe(name, () => {
      it('has a running test bed', () => {
        throw new Error(`integration test bed unavailable in CI: ${state.why}`)
      })
    })
    return
  }
  announceSkip('integration suite', name, state.why!, 'bash .ci/testbed.sh')
  describe.skip(`${name} (skipped: ${state.why})`, () => {
    it('needs the test bed', () => undefined)
  })
}

/** Inputs for running the action on examples/ml-service against the test bed. */
export function serviceInputs(
  bed: Testbed,
  repo: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    context: path.join(ROOT, 'examples', 'ml-service'),
    images: `${bed.registry}/${repo}`,
    registry: bed.registry,
    username: bed.username,
    password: bed.password,
    'build-args': `BASE_IMAGE=${bed.pythonImage}`,
    builder: bed.builder,
    'trivy-cache-dir': bed.trivyCacheClean,
    'scan-skip-db-update': 'true',
    ...extra
  }
}

export interface ActionRun {
  code: number
  output: string
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  seconds: number
}

function parseFileCommands(file: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!existsSync(file)) return out
  const text = readFileSync(file, 'utf8')
  const re = /^([^\n<=]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) out[m[1]] = m[3]
  return out
}

export interface ActionEvent {
  name: string
  ref: string
  sha?: string
  payload?: Record<string, unknown>
}

/** A push of tag `tag` (e.g. `v1.2.3`) to a repository whose default branch is main. */
export function tagPush(tag: string, name = 'ml-service'): ActionEvent {
  return {
    name: 'push',
    ref: `refs/tags/${tag}`,
    payload: {
      ref: `refs/tags/${tag}`,
      repository: { default_branch: 'main', name, html_url: `https://github.com/acme/${name}` }
    }
  }
}

/** Runs the bundled action (dist/index.js) the way the runner does: INPUT_*, GITHUB_* and file commands. */
export async function runAction(
  inputs: Record<string, string>,
  event: ActionEvent,
  opts: { cwd?: string; post?: Record<string, string>; env?: Record<string, string> } = {}
): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-it-'))
  const eventPath = path.join(dir, 'event.json')
  writeFileSync(eventPath, JSON.stringify(event.payload ?? {}))
  for (const f of ['output', 'state', 'summary', 'env', 'path'])
    writeFileSync(path.join(dir, f), '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: event.ref,
    GITHUB_REF_NAME: event.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_SHA: event.sha ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_REPOSITORY: 'acme/ml-service',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_WORKSPACE: opts.cwd ?? ROOT,
    RUNNER_TEMP: dir,
    RUNNER_OS: 'Linux',
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STATE: path.join(dir, 'state'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_PATH: path.join(dir, 'path'),
    ...(opts.env ?? {}),
    ...(opts.post ?? {})
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  const started = Date.now()
  const { code, output } = await spawnCollect(
    'node',
    [path.join(ROOT, 'dist', 'index.js')],
    env,
    opts.cwd ?? ROOT
  )
  return {
    code,
    output,
    outputs: parseFileCommands(path.join(dir, 'output')),
    state: parseFileCommands(path.join(dir, 'state')),
    summary: readFileSync(path.join(dir, 'summary'), 'utf8'),
    seconds: (Date.now() - started) / 1000
  }
}

/** Runs the post step with the state main saved, as the runner does (STATE_<name>). */
export async function runPost(
  main: ActionRun,
  inputs: Record<string, string>,
  event: ActionEvent,
  env: Record<string, string> = {}
): Promise<ActionRun> {
  const post: Record<string, string> = {}
  for (const [k, v] of Object.entries(main.state)) post[`STATE_${k}`] = v
  return runAction(inputs, event, { post, env })
}

export function spawnCollect(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  input?: string
): Promise<{ code: number; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString()
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, output, stdout }))
    child.stdin.end(input ?? '')
  })
}

/**
 * What a person sees in the job log: the runner consumes `::add-mask::` commands (and masks the
 * value everywhere after them), so only the rest of the output is shown.
 */
export function visibleLog(output: string): string {
  return output
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
}

/** Asserts the secret was handed to the runner for masking and appears nowhere else. */
export function expectMaskedEverywhere(output: string, secret: string): void {
  if (!output.split('\n').includes(`::add-mask::${secret}`)) {
    throw new Error('the secret was never registered with ::add-mask::')
  }
  if (visibleLog(output).includes(secret)) {
    const line = visibleLog(output)
      .split('\n')
      .find((l) => l.includes(secret))
    throw new Error(`the secret appears in the visible log: ${line?.replace(secret, '<SECRET>')}`)
  }
}

export function sh(bin: string, args: string[], opts: { input?: string } = {}): string {
  return execFileSync(bin, args, {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    input: opts.input
  })
}

/** Tags in the authenticated registry, read with skopeo (not with the code under test). */
export function registryTags(bed: Testbed, repo: string): string[] {
  try {
    const out = sh('skopeo', [
      'list-tags',
      '--tls-verify=false',
      '--creds',
      `${bed.username}:${bed.password}`,
      `docker://${bed.registry}/${repo}`
    ])
    return (JSON.parse(out) as { Tags: string[] | null }).Tags ?? []
  } catch (e) {
    if (
      /name unknown|NAME_UNKNOWN|repository name not known|status code from registry 404/i.test(
        String((e as { stderr?: string }).stderr ?? e)
      )
    )
      return []
    throw e
  }
}

/** The manifest a tag resolves to, read through the registry: its digest and its parsed JSON. */
export function registryManifest(
  bed: Testbed,
  ref: string
): {
  digest: string
  manifest: RegistryManifest
} {
  const raw = sh('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--creds',
    `${bed.username}:${bed.password}`,
    `docker://${bed.registry}/${ref}`
  ])
  // repo:tag or repo@digest
  const at = ref.includes('@') ? ref.indexOf('@') : ref.lastIndexOf(':')
  const [repo, tag] = [ref.slice(0, at), ref.slice(at + 1)]
  const head = sh('curl', [
    '-sfI',
    '-u',
    `${bed.username}:${bed.password}`,
    '-H',
    'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    `http://${bed.registry}/v2/${repo}/manifests/${tag}`
  ])
  const digest = /^docker-content-digest:\s*(\S+)/im.exec(head)?.[1] ?? ''
  if (digest !== `sha256:${createHash('sha256').update(raw).digest('hex')}`) {
    throw new Error(`${ref}: the registry's digest ${digest} does not match the manifest it served`)
  }
  return {
    digest,
    manifest: JSON.parse(raw) as RegistryManifest
  }
}

export interface RegistryManifest {
  config: { digest: string }
  layers?: { mediaType: string; digest: string }[]
  annotations?: Record<string, string>
}

/** DOCKER_HOST for one engine, for runAction's env and the docker CLI. */
export function engineEnv(engine: Engine): Record<string, string> {
  return { DOCKER_HOST: engine.dockerHost }
}

/** The config digest (= image id) of a pushed tag, read through the registry. */
export function registryConfigDigest(bed: Testbed, ref: string): string {
  const raw = sh('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--creds',
    `${bed.username}:${bed.password}`,
    `docker://${bed.registry}/${ref}`
  ])
  return (JSON.parse(raw) as { config: { digest: string } }).config.digest
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`
}

/** A small image context: one layer of 2 MB random bytes (distinct every call) on the bed's busybox. */
export function tinyContext(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-tiny-'))
  writeFileSync(path.join(dir, 'payload.bin'), randomBytes(2 * 1024 * 1024))
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY payload.bin /srv/payload.bin\nUSER 65534\nCMD ["sleep", "3600"]\n'
  )
  return dir
}

/** A copy of a directory to change freely. */
export function copyDir(src: string): string {
  const dst = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-ctx-'))
  cpSync(src, dst, { recursive: true })
  return dst
}

/**
 * The containers a run recorded for its post step that still exist (other runs on the shared
 * daemon are not this run's business).
 */
export function smokeContainers(run: ActionRun, engine?: Engine): string[] {
  const state = JSON.parse(run.state.cleanup ?? '{}') as { containers?: string[] }
  const mine = new Set(state.containers ?? [])
  return sh('docker', [
    ...(engine ? ['--host', engine.dockerHost] : []),
    'ps',
    '-a',
    '--filter',
    'label=io.github.ml-docker-action.smoke',
    '--format',
    '{{.Names}}'
  ])
    .split('\n')
    .filter((n) => n && mine.has(n))
}

/**
 * Starts a BuildKit daemon with an empty state directory (a builder that has never built
 * anything); its state directory is returned for `stopFreshBuildkitd`.
 */
export async function freshBuildkitd(): Promise<{ endpoint: string; root: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-bk-'))
  const socket = path.join(root, 'buildkitd.sock')
  const proc = spawn(
    'bash',
    [
      path.join(ROOT, '.ci', 'testbed.sh'),
      'buildkitd-fresh',
      path.join(root, 'state'),
      `unix://${socket}`
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise<number>((resolve) => proc.on('close', (c) => resolve(c ?? 1)))
  if (code !== 0) throw new Error(`could not start a fresh buildkitd: ${out}`)
  return { endpoint: `unix://${socket}`, root }
}

/** Stops a daemon `freshBuildkitd` started (nothing when it is already gone). */
export function stopFreshBuildkitd(root: string): void {
  try {
    sh('bash', [path.join(ROOT, '.ci', 'testbed.sh'), 'buildkitd-stop', path.join(root, 'state')])
  } catch {
    // already gone
  }
}
