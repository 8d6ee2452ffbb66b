import path from 'node:path'
import { UserError } from './errors.js'
import { INPUTS, inputSpec } from './inputs.js'
import type { Threshold } from './lint/index.js'

export type PushMode = 'auto' | 'true' | 'false'
export type CacheMode = 'auto' | 'off' | 'explicit'
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
  cache: { mode: CacheMode; ref: string; exportMode: 'max' | 'min' }
  push: PushMode
  registry: string
  username: string
  password: string
  lint: {
    enabled: boolean
    /** undefined: not set, the lint configuration or the action's default decides */
    threshold: Threshold | undefined
    configFile: string
    ignore: string[]
  }
  smoke: { enabled: boolean; timeoutSeconds: number; env: Record<string, string> }
  scan: {
    enabled: boolean
    severities: ScanSeverity[]
    ignoreUnfixed: boolean
    trivyVersion: string
    cacheDir: string
    dbRepository: string[]
    skipDbUpdate: boolean
  }
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

function raw(source: InputSource, name: string, cli: boolean): string {
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

/** `KEY=value` per line; the value may contain `=`; a line without `=` is an error. */
export function parseKeyValues(name: string, value: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of parseList(value, false)) {
    const eq = line.indexOf('=')
    if (eq <= 0) {
      throw new UserError(`Input "${name}": expected KEY=value, got "${line}".`)
    }
    out[line.slice(0, eq).trim()] = line.slice(eq + 1)
  }
  return out
}

function parseSeconds(name: string, value: string): number {
  const n = Number(value.trim())
  if (!Number.isFinite(n) || n <= 0) {
    throw new UserError(`Input "${name}" must be a positive number of seconds, got "${value}".`)
  }
  return n
}

export interface ParseOptions {
  /** Resolve relative paths against this directory (the workspace). */
  cwd?: string
  /** Called for each credential as soon as it is known, before anything can print it. */
  setSecret?: (value: string) => void
  /** True when called by the CLI: expression defaults (`${{ github.token }}`) do not apply. */
  cli?: boolean
}

export function parseConfig(source: InputSource, opts: ParseOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd()
  const cli = opts.cli ?? false
  const get = (name: string): string => raw(source, name, cli)
  const setSecret = opts.setSecret ?? (() => undefined)

  // Credentials first: masked before any validation message could echo them.
  const password = get('password')
  if (password) setSecret(password)
  const secrets = parseKeyValues('secrets', get('secrets'))
  for (const value of Object.values(secrets)) if (value) setSecret(value)
  const githubToken = get('github-token')
  if (githubToken) setSecret(githubToken)

  const context = path.resolve(cwd, get('context') || '.')
  const file = get('file') ? path.resolve(cwd, get('file')) : path.join(context, 'Dockerfile')

  const platforms = parseList(get('platforms'))
  if (platforms.length > 1) {
    throw new UserError(
      `Input "platforms" lists ${platforms.length} platforms (${platforms.join(', ')}), but the image ` +
        'that is pushed must be the image that was smoke-tested and scanned on this machine, so one ' +
        'platform is built per run. Use a matrix job with one platform each.'
    )
  }

  const cacheRaw = get('cache').trim()
  let cache: Config['cache']['mode'] = 'explicit'
  if (cacheRaw === '' || cacheRaw === 'auto') cache = 'auto'
  else if (cacheRaw === 'off' || cacheRaw === 'false') cache = 'off'
  const cacheModeRaw = get('cache-mode').trim() || 'max'
  if (cacheModeRaw !== 'max' && cacheModeRaw !== 'min') {
    throw new UserError(`Input "cache-mode" must be max or min, got "${cacheModeRaw}".`)
  }

  const pushRaw = get('push').trim().toLowerCase() || 'auto'
  let push: PushMode
  if (pushRaw === 'auto') push = 'auto'
  else push = parseBool('push', pushRaw) ? 'true' : 'false'

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

  const username = get('username').trim()
  if (password && !username) {
    throw new UserError('Input "password" is set but "username" is empty: set both, or neither.')
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
      exportMode: cacheModeRaw
    },
    push,
    registry: get('registry').trim() || 'docker.io',
    username,
    password,
    lint: {
      enabled: parseBool('lint', get('lint')),
      threshold,
      configFile: get('lint-config') ? path.resolve(cwd, get('lint-config')) : '',
      ignore: parseList(get('lint-ignore')).map((s) => s.toUpperCase())
    },
    smoke: {
      enabled: parseBool('smoke', get('smoke')),
      timeoutSeconds: parseSeconds('smoke-timeout', get('smoke-timeout')),
      env: parseKeyValues('smoke-env', get('smoke-env'))
    },
    scan: {
      enabled: parseBool('scan', get('scan')),
      severities,
      ignoreUnfixed: parseBool('scan-ignore-unfixed', get('scan-ignore-unfixed')),
      trivyVersion,
      cacheDir: get('trivy-cache-dir') ? path.resolve(cwd, get('trivy-cache-dir')) : '',
      dbRepository: parseList(get('trivy-db-repository')),
      skipDbUpdate: parseBool('scan-skip-db-update', get('scan-skip-db-update'))
    },
    githubToken,
    summary: parseBool('summary', get('summary'))
  }
}

/** Input names, for the CLI's flag table and tests. */
export const INPUT_NAMES = INPUTS.map((i) => i.name)
