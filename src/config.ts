import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parsePlatforms } from './build/platforms.js'
import { UserError } from './errors.js'
import { canonicalRegistry } from './reference.js'
import { INPUTS, inputSpec } from './inputs.js'
import type { Threshold } from './lint/index.js'
import {
  dockerSize,
  looksLikeRequest,
  parseArgs,
  parseExpect,
  parsePorts,
  parseProbe,
  parseRequest,
  parseServices,
  parseSize,
  type Probe,
  type Sidecar,
  type SmokeRequest
} from './smoke/spec.js'
import { parseSupply, type SupplyConfig } from './supply/decide.js'

export type PushMode = 'auto' | 'true' | 'false'
export type CacheMode = 'auto' | 'off' | 'gha' | 'explicit'
export type CacheCompression = 'zstd' | 'gzip'
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const
export type ScanSeverity = (typeof SEVERITIES)[number]
const THRESHOLDS: Threshold[] = ['error', 'warning', 'info', 'style', 'none']

/** Every input, parsed and validated once. Stages take this and nothing else from the environment. */
export interface Config {
  context: string
  file: string
  images: string
  tags: string
  flavor: string
  labels: string
  annotations: string
  buildArgs: Record<string, string>
  secrets: Record<string, string>
  target: string
  platforms: string[]
  builder: string
  buildkitEndpoint: string
  buildkitImage: string
  buildkitdConfig: string
  cache: { mode: CacheMode; ref: string; exportMode: 'max' | 'min'; compression: CacheCompression }
  push: PushMode
  pushTimeoutSeconds: number
  registry: string
  username: string
  password: string
  /** `registry-auth`: credentials per registry, one line each (registry in canonical form). */
  registryAuth: RegistryAuth[]
  lint: {
    enabled: boolean
    /** undefined: not set, the lint configuration or the action's default decides */
    threshold: Threshold | undefined
    configFile: string
    ignore: string[]
  }
  smoke: {
    enabled: boolean
    timeoutSeconds: number
    env: Record<string, string>
    probe?: Probe
    request?: SmokeRequest
    expect?: RegExp
    services: Sidecar[]
    ports: string[]
    args: string[]
    gpus: string
    shmSize: string
    memory: string
    readOnly: boolean
    maxImageSize?: number
  }
  scan: {
    enabled: boolean
    severities: ScanSeverity[]
    ignoreUnfixed: boolean
    trivyVersion: string
    cacheDir: string
    dbRepository: string[]
    skipDbUpdate: boolean
    /** How old (UpdatedAt) a DB may be when it is used without a fresh download. */
    dbMaxAgeHours: number
    failOn: 'all' | 'new'
    /** Image reference or Trivy JSON report path; empty means the first computed tag. */
    baseline: string
    /** Explicit ignore file (absolute); empty means discovery in the context and workspace. */
    ignoreFile: string
    vex: string[]
    trivyDownloadUrl: string
    trivySha256: string
  }
  /** SBOM, provenance and signature of the pushed digest. */
  supply: SupplyConfig
  githubToken: string
  summary: boolean
}

/** Reads one raw input; returns undefined when the input was not given at all. */
export type InputSource = (name: string) => string | undefined

/** The action's own source: INPUT_<NAME> as the runner sets it (spaces become `_`, upper case). */
export function envInputSource(env: NodeJS.ProcessEnv = process.env): InputSource {
  return (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]
}

/** Layers sources: the first that gives a value wins (CLI flags, then INPUT_* variables). */
export function layeredSource(...sources: InputSource[]): InputSource {
  return (name) => {
    for (const s of sources) {
      const v = s(name)
      if (v !== undefined) return v
    }
    return undefined
  }
}

/** One input's raw value: the source's, else the default (the CLI's own where it has one). */
export function inputValue(source: InputSource, name: string, cli: boolean): string {
  const v = source(name)
  if (v !== undefined) return v
  const spec = inputSpec(name)
  return cli && spec.cliDefault !== undefined ? spec.cliDefault : spec.default
}

export function parseBool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (['true', 'yes', '1', 'on'].includes(v)) return true
  if (['false', 'no', '0', 'off', ''].includes(v)) return false
  throw new UserError(`Input "${name}" must be true or false, got "${value}".`)
}

/** Splits a list input on newlines (and commas when allowed), trimming and dropping empties and # comments. */
export function parseList(value: string, commas = true): string[] {
  return value
    .split(commas ? /[\n,]/ : /\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'))
}

/**
 * `KEY=value` per line; the value may contain `=`; a line without `=` is an error. The message
 * names the line by number and quotes it only when the input is not a credential.
 */
export function parseKeyValues(name: string, value: string): Record<string, string> {
  const out: Record<string, string> = {}
  const secret = isSecretInput(name)
  value.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    if (eq <= 0) {
      throw new UserError(
        secret
          ? `Input "${name}", line ${index + 1}: expected KEY=value (the line is not shown: it holds a credential).`
          : `Input "${name}", line ${index + 1}: expected KEY=value, got "${line}".`
      )
    }
    out[line.slice(0, eq).trim()] = line.slice(eq + 1)
  })
  return out
}

export interface RegistryAuth {
  /** Canonical host (`docker.io` for Docker Hub in any spelling). */
  registry: string
  username: string
  password: string
  /** Line number in the input, for messages. */
  line: number
}

const AUTH_KEYS = ['registry', 'username', 'password'] as const
/** Splits a block on the commas that start a known key, so a password may itself contain commas. */
const AUTH_SPLIT = /,(?=\s*(?:registry|username|password)\s*=)/

/**
 * The credential parts of `registry-auth`-style blocks, to mask before anything is parsed: each
 * `password=` value (which may hold commas), and the value of any key other than `registry` and
 * `username` (a misspelt `password` is still a password).
 */
export function authBlockPasswords(value: string): string[] {
  const out = new Set<string>()
  for (const line of value.split('\n')) {
    for (const piece of line.trim().split(AUTH_SPLIT)) {
      const m = /^\s*password\s*=(.*)$/s.exec(piece)
      if (m && m[1].trim()) out.add(m[1].trim())
    }
    for (const piece of line.trim().split(',')) {
      const m = /^\s*([^=]*?)\s*=(.*)$/s.exec(piece)
      if (!m || ['registry', 'username'].includes(m[1].toLowerCase())) continue
      // Too short to be a credential, and masking it would blank out common text.
      if (m[2].trim().length >= 3) out.add(m[2].trim())
    }
  }
  return [...out]
}

/**
 * `registry=...,username=...,password=...` per line. Messages name the line, never its content
 * (it holds a credential).
 */
export function parseRegistryAuth(value: string): RegistryAuth[] {
  const out: RegistryAuth[] = []
  const seen = new Map<string, number>()
  value.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim()
    const n = index + 1
    if (line === '' || line.startsWith('#')) return
    const where = `Input "registry-auth", line ${n}`
    const fields: Partial<Record<(typeof AUTH_KEYS)[number], string>> = {}
    for (const piece of line.split(AUTH_SPLIT)) {
      const eq = piece.indexOf('=')
      const key = eq > 0 ? piece.slice(0, eq).trim().toLowerCase() : ''
      if (!(AUTH_KEYS as readonly string[]).includes(key)) {
        throw new UserError(
          `${where}: expected registry=HOST,username=USER,password=SECRET (the line is not shown: it holds a credential).`
        )
      }
      const k = key as (typeof AUTH_KEYS)[number]
      // Only a password may hold a comma; elsewhere one means an unknown key.
      if (k !== 'password' && piece.slice(eq + 1).includes(',')) {
        throw new UserError(
          `${where}: expected registry=HOST,username=USER,password=SECRET (the line is not shown: it holds a credential).`
        )
      }
      if (fields[k] !== undefined) throw new UserError(`${where}: "${k}" is given twice.`)
      fields[k] = piece.slice(eq + 1).trim()
    }
    const missing = AUTH_KEYS.filter((k) => !fields[k])
    if (missing.length) {
      throw new UserError(
        `${where}: ${missing.map((k) => `"${k}"`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing or empty; ` +
          'write registry=HOST,username=USER,password=SECRET.'
      )
    }
    if (/[\s/]/.test(fields.registry!.replace(/^https?:\/\//, '').replace(/\/+$/, ''))) {
      throw new UserError(
        `${where}: "registry" must be a host name (such as registry.example.com:5000), not a path.`
      )
    }
    const registry = canonicalRegistry(
      fields.registry!.replace(/^https?:\/\//, '').replace(/\/+$/, '')
    )
    const earlier = seen.get(registry)
    if (earlier !== undefined) {
      throw new UserError(
        `Input "registry-auth", lines ${earlier} and ${n} both give credentials for ${registry}: keep one.`
      )
    }
    seen.set(registry, n)
    out.push({ registry, username: fields.username!, password: fields.password!, line: n })
  })
  return out
}

function isSecretInput(name: string): boolean {
  return INPUTS.some((i) => i.name === name && i.secret)
}

/**
 * Registers every credential-bearing input (`secret: true` in inputs.ts) with `setSecret`: the
 * whole value, each line, and each line's value after `=`, so that no later message, not even one
 * about a malformed line, can show any of it.
 */
export function maskSecretInputs(
  source: InputSource,
  setSecret: (value: string) => void,
  cli = false
): void {
  for (const spec of INPUTS.filter((i) => i.secret)) {
    const value = inputValue(source, spec.name, cli)
    if (!value) continue
    setSecret(value)
    for (const rawLine of value.split('\n')) {
      const line = rawLine.trim()
      if (!line) continue
      setSecret(line)
      const eq = line.indexOf('=')
      if (eq >= 0 && line.slice(eq + 1)) setSecret(line.slice(eq + 1))
    }
    for (const p of authBlockPasswords(value)) setSecret(p)
  }
}

function parseSeconds(name: string, value: string): number {
  const n = Number(value.trim())
  if (!Number.isFinite(n) || n <= 0) {
    throw new UserError(`Input "${name}" must be a positive number of seconds, got "${value}".`)
  }
  return n
}

/** `7d`, `36h` or a bare number of days, as hours. */
export function parseMaxAge(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([dh]?)$/i.exec(value.trim())
  if (!m || Number(m[1]) <= 0) {
    throw new UserError(`Input "${name}" must be a positive age such as 7d or 36h, got "${value}".`)
  }
  return Number(m[1]) * (m[2].toLowerCase() === 'h' ? 1 : 24)
}

/** `smoke-request` holds the request text, or the path (relative to the workspace) of a file with it. */
function smokeRequest(value: string, cwd: string): SmokeRequest | undefined {
  if (!value.trim()) return undefined
  if (looksLikeRequest(value)) return parseRequest(value)
  const file = path.resolve(cwd, value.trim())
  if (value.trim().includes('\n') || !existsSync(file)) {
    throw new UserError(
      `Input "smoke-request" is neither a request (first line "METHOD /path", e.g. "POST /predict") nor an existing file: "${value.trim().split('\n')[0]}".`
    )
  }
  return parseRequest(readFileSync(file, 'utf8'), `smoke-request (${value.trim()})`)
}

export interface ParseOptions {
  /** Resolve relative paths against this directory (the workspace). */
  cwd?: string
  /** Called for each credential as soon as it is known, before anything can print it. */
  setSecret?: (value: string) => void
  /** True when called by the CLI: expression defaults (`${{ github.token }}`) do not apply. */
  cli?: boolean
  /** The environment (OIDC token variables for keyless signing); default process.env. */
  env?: NodeJS.ProcessEnv
}

export function parseConfig(source: InputSource, opts: ParseOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd()
  const cli = opts.cli ?? false
  const get = (name: string): string => inputValue(source, name, cli)
  const setSecret = opts.setSecret ?? (() => undefined)

  // Credentials first: masked before any parsing or validation message could echo them.
  maskSecretInputs(source, setSecret, cli)
  const password = get('password')
  const secrets = parseKeyValues('secrets', get('secrets'))
  const githubToken = get('github-token')

  const context = path.resolve(cwd, get('context') || '.')
  const file = get('file') ? path.resolve(cwd, get('file')) : path.join(context, 'Dockerfile')

  // Several platforms build one index; the daemon's own platform among them is smoke-tested.
  const platforms = parsePlatforms(parseList(get('platforms')))

  const cacheRaw = get('cache').trim()
  let cache: Config['cache']['mode'] = 'explicit'
  if (cacheRaw === '' || cacheRaw === 'auto') cache = 'auto'
  else if (cacheRaw === 'off' || cacheRaw === 'false') cache = 'off'
  else if (cacheRaw === 'gha') cache = 'gha'
  const cacheModeRaw = get('cache-mode').trim() || 'max'
  if (cacheModeRaw !== 'max' && cacheModeRaw !== 'min') {
    throw new UserError(`Input "cache-mode" must be max or min, got "${cacheModeRaw}".`)
  }
  const cacheCompressionRaw = get('cache-compression').trim().toLowerCase() || 'zstd'
  if (cacheCompressionRaw !== 'zstd' && cacheCompressionRaw !== 'gzip') {
    throw new UserError(
      `Input "cache-compression" must be zstd or gzip, got "${get('cache-compression').trim()}".`
    )
  }

  const pushRaw = get('push').trim().toLowerCase() || 'auto'
  let push: PushMode
  if (pushRaw === 'auto') push = 'auto'
  else {
    try {
      push = parseBool('push', pushRaw) ? 'true' : 'false'
    } catch {
      throw new UserError(`Input "push" must be auto, true or false, got "${get('push')}".`)
    }
  }

  const threshold = (get('lint-failure-threshold').trim().toLowerCase() || undefined) as
    Threshold | undefined
  if (threshold !== undefined && !THRESHOLDS.includes(threshold)) {
    throw new UserError(
      `Input "lint-failure-threshold" must be one of ${THRESHOLDS.join(', ')}, got "${threshold}".`
    )
  }

  const severities = parseList(get('scan-severity').toUpperCase()) as ScanSeverity[]
  for (const s of severities) {
    if (!SEVERITIES.includes(s)) {
      throw new UserError(
        `Input "scan-severity": unknown severity "${s}"; use a comma-separated subset of ${SEVERITIES.join(',')}.`
      )
    }
  }

  const trivyVersion = get('trivy-version').trim().replace(/^v/, '')
  if (!/^\d+\.\d+\.\d+$/.test(trivyVersion)) {
    throw new UserError(
      `Input "trivy-version" must be an exact version such as 0.74.0, got "${get('trivy-version')}" ` +
        '(floating versions like "latest" are refused: a scanner that gates releases must be pinned).'
    )
  }

  if (
    (get('buildkit-image').trim() || get('buildkitd-config').trim()) &&
    (get('builder').trim() || get('buildkit-endpoint').trim())
  ) {
    throw new UserError(
      'Inputs "buildkit-image" and "buildkitd-config" configure the builder this run creates; they cannot ' +
        'apply to an existing "builder" or a "buildkit-endpoint". Remove one or the other.'
    )
  }

  const failOn = get('scan-fail-on').trim().toLowerCase() || 'all'
  if (failOn !== 'all' && failOn !== 'new') {
    throw new UserError(`Input "scan-fail-on" must be all or new, got "${get('scan-fail-on')}".`)
  }
  const trivySha256 = get('trivy-sha256').trim().toLowerCase()
  if (trivySha256 && !/^[0-9a-f]{64}$/.test(trivySha256)) {
    throw new UserError(
      'Input "trivy-sha256" must be the 64 hex digits of the archive\'s sha256 (as in sha256sum output).'
    )
  }
  const baselineRaw = get('scan-baseline').trim()
  // A path to a report is resolved; anything else is an image reference.
  const baseline =
    /\.json$/i.test(baselineRaw) && !baselineRaw.includes('@')
      ? path.resolve(cwd, baselineRaw)
      : baselineRaw
  if (get('smoke-expect').trim() && !get('smoke-request').trim()) {
    throw new UserError(
      'Input "smoke-expect" is set but "smoke-request" is empty: set the request whose response it must match.'
    )
  }

  const username = get('username').trim()
  if (password && !username) {
    throw new UserError('Input "password" is set but "username" is empty: set both, or neither.')
  }
  const registry = get('registry').trim() || 'docker.io'
  const registryAuth = parseRegistryAuth(get('registry-auth'))
  const twice = username && registryAuth.find((a) => a.registry === canonicalRegistry(registry))
  if (twice) {
    throw new UserError(
      `Credentials for ${twice.registry} are given twice: by "username"/"password" and by "registry-auth" line ${twice.line}. Keep one.`
    )
  }

  return {
    context,
    file,
    images: get('images'),
    tags: get('tags'),
    flavor: get('flavor'),
    labels: get('labels'),
    annotations: get('annotations'),
    buildArgs: parseKeyValues('build-args', get('build-args')),
    secrets,
    target: get('target').trim(),
    platforms,
    builder: get('builder').trim(),
    buildkitEndpoint: get('buildkit-endpoint').trim(),
    buildkitImage: get('buildkit-image').trim(),
    buildkitdConfig: get('buildkitd-config') ? path.resolve(cwd, get('buildkitd-config')) : '',
    cache: {
      mode: cache,
      ref: cache === 'explicit' ? cacheRaw : '',
      exportMode: cacheModeRaw,
      compression: cacheCompressionRaw
    },
    push,
    pushTimeoutSeconds: parseSeconds('push-timeout', get('push-timeout')),
    registry,
    username,
    password,
    registryAuth,
    lint: {
      enabled: parseBool('lint', get('lint')),
      threshold,
      configFile: get('lint-config') ? path.resolve(cwd, get('lint-config')) : '',
      ignore: parseList(get('lint-ignore')).map((s) => s.toUpperCase())
    },
    smoke: {
      enabled: parseBool('smoke', get('smoke')),
      timeoutSeconds: parseSeconds('smoke-timeout', get('smoke-timeout')),
      env: parseKeyValues('smoke-env', get('smoke-env')),
      probe: parseProbe(get('smoke-probe')),
      request: smokeRequest(get('smoke-request'), cwd),
      expect: parseExpect(get('smoke-expect')),
      services: parseServices(get('smoke-services')),
      ports: parsePorts(get('smoke-ports')),
      args: parseArgs(get('smoke-args')),
      gpus: get('smoke-gpus').trim(),
      shmSize: dockerSize('smoke-shm-size', get('smoke-shm-size')),
      memory: dockerSize('smoke-memory', get('smoke-memory')),
      readOnly: parseBool('smoke-read-only', get('smoke-read-only')),
      maxImageSize: parseSize('max-image-size', get('max-image-size'))
    },
    scan: {
      enabled: parseBool('scan', get('scan')),
      severities,
      ignoreUnfixed: parseBool('scan-ignore-unfixed', get('scan-ignore-unfixed')),
      trivyVersion,
      cacheDir: get('trivy-cache-dir') ? path.resolve(cwd, get('trivy-cache-dir')) : '',
      dbRepository: parseList(get('trivy-db-repository')),
      skipDbUpdate: parseBool('scan-skip-db-update', get('scan-skip-db-update')),
      dbMaxAgeHours: parseMaxAge('scan-db-max-age', get('scan-db-max-age')),
      failOn,
      baseline,
      ignoreFile: get('scan-ignore-file').trim()
        ? path.resolve(cwd, get('scan-ignore-file').trim())
        : '',
      vex: parseList(get('scan-vex'), false).map((f) => path.resolve(cwd, f)),
      trivyDownloadUrl: get('trivy-download-url').trim(),
      trivySha256
    },
    supply: parseSupply(get, {
      cwd,
      env: opts.env ?? process.env,
      scan: parseBool('scan', get('scan')),
      push
    }),
    githubToken,
    summary: parseBool('summary', get('summary'))
  }
}

/** Input names, for the CLI's flag table and tests. */
export const INPUT_NAMES = INPUTS.map((i) => i.name)
