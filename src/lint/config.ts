/**
 * `.hadolint.yaml` compatibility: discovery in hadolint's order, the keys people use
 * (`ignored`, `override`, `failure-threshold`, `trustedRegistries`, `no-fail`,
 * `disable-ignore-pragma`), hadolint's environment variables, and overrides from action
 * inputs / CLI flags, which win over both.
 */
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { UserError } from '../errors.js'
import { SEVERITIES, type LintOverrides, type Severity, type Threshold } from './types.js'

export interface LintConfig {
  ignored: string[]
  override: Partial<Record<Severity, string[]>>
  failureThreshold: Threshold
  trustedRegistries: string[]
  noFail: boolean
  disableIgnorePragma: boolean
  /** the config file used, if any */
  source?: string
}

export const DEFAULT_CONFIG: LintConfig = {
  ignored: [],
  override: {},
  failureThreshold: 'info',
  trustedRegistries: [],
  noFail: false,
  disableIgnorePragma: false
}

const THRESHOLDS = ['error', 'warning', 'info', 'style', 'ignore', 'none']

/** hadolint's lookup order; the first file found is used exclusively. */
export function discoverConfig(cwd = process.cwd(), env = process.env): string | undefined {
  const home = env.HOME ?? homedir()
  const xdg = env.XDG_CONFIG_HOME ?? join(home, '.config')
  const candidates = [
    join(cwd, '.hadolint.yaml'),
    join(cwd, '.hadolint.yml'),
    join(xdg, 'hadolint.yaml'),
    join(xdg, 'hadolint.yml'),
    join(home, '.config', 'hadolint.yaml'),
    join(home, '.hadolint', 'hadolint.yaml'),
    join(home, 'hadolint', 'config.yaml'),
    join(home, '.hadolint.yaml'),
    join(home, '.hadolint.yml')
  ]
  return candidates.find((p) => existsSync(p))
}

function stringList(value: unknown, key: string, file: string): string[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
    return value.map(String)
  throw new UserError(`${file}: '${key}' must be a list of strings`)
}

function threshold(value: unknown, where: string): Threshold {
  const v = String(value).toLowerCase()
  if (!THRESHOLDS.includes(v)) {
    throw new UserError(
      `${where}: failure threshold '${String(value)}' is not one of error, warning, info, style, none`
    )
  }
  return v === 'ignore' ? 'none' : (v as Threshold)
}

export function parseConfigText(text: string, file: string): Partial<LintConfig> {
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (e) {
    throw new UserError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new UserError(`${file}: expected a mapping at the top level`)
  const o = doc as Record<string, unknown>
  const out: Partial<LintConfig> = { source: file }
  if ('ignored' in o) out.ignored = stringList(o.ignored, 'ignored', file)
  const trusted = o.trustedRegistries ?? o['trusted-registries'] ?? o.trusted_registries
  if (trusted !== undefined) out.trustedRegistries = stringList(trusted, 'trustedRegistries', file)
  const ft = o['failure-threshold'] ?? o.failureThreshold
  if (ft !== undefined) out.failureThreshold = threshold(ft, file)
  const nf = o['no-fail'] ?? o.noFail
  if (nf !== undefined) out.noFail = nf === true || nf === 'true'
  const dip = o['disable-ignore-pragma'] ?? o.disableIgnorePragma
  if (dip !== undefined) out.disableIgnorePragma = dip === true || dip === 'true'
  if (o.override !== undefined && o.override !== null) {
    if (typeof o.override !== 'object' || Array.isArray(o.override))
      throw new UserError(`${file}: 'override' must be a mapping`)
    const override: Partial<Record<Severity, string[]>> = {}
    for (const [k, v] of Object.entries(o.override as Record<string, unknown>)) {
      if (!SEVERITIES.includes(k as Severity)) {
        throw new UserError(
          `${file}: override level '${k}' is not one of error, warning, info, style`
        )
      }
      override[k as Severity] = stringList(v, `override.${k}`, file)
    }
    out.override = override
  }
  return out
}

export function loadConfigFile(file: string): Partial<LintConfig> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UserError(
      `cannot read lint config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
    )
  }
  return parseConfigText(text, file)
}

/** hadolint's environment variables (HADOLINT_IGNORE, HADOLINT_FAILURE_THRESHOLD, ...). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<LintConfig> {
  const out: Partial<LintConfig> = {}
  const list = (v: string | undefined): string[] | undefined =>
    v === undefined || v.trim() === ''
      ? undefined
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
  const ignored = list(env.HADOLINT_IGNORE)
  if (ignored) out.ignored = ignored
  const trusted = list(env.HADOLINT_TRUSTED_REGISTRIES)
  if (trusted) out.trustedRegistries = trusted
  if (env.HADOLINT_FAILURE_THRESHOLD)
    out.failureThreshold = threshold(env.HADOLINT_FAILURE_THRESHOLD, 'HADOLINT_FAILURE_THRESHOLD')
  if (env.HADOLINT_NOFAIL !== undefined && env.HADOLINT_NOFAIL !== '')
    out.noFail = /^(1|true|yes|on)$/i.test(env.HADOLINT_NOFAIL)
  if (env.HADOLINT_DISABLE_IGNORE_PRAGMA)
    out.disableIgnorePragma = /^(1|true|yes|on)$/i.test(env.HADOLINT_DISABLE_IGNORE_PRAGMA)
  const override: Partial<Record<Severity, string[]>> = {}
  for (const s of SEVERITIES) {
    const v = list(env[`HADOLINT_OVERRIDE_${s.toUpperCase()}`])
    if (v) override[s] = v
  }
  if (Object.keys(override).length > 0) out.override = override
  return out
}

/** Later layers win key by key; `override` levels merge rule by rule. */
export function mergeConfig(
  ...layers: (Partial<LintConfig> | LintOverrides | undefined)[]
): LintConfig {
  const cfg: LintConfig = { ...DEFAULT_CONFIG, override: {} }
  for (const layer of layers) {
    if (!layer) continue
    if (layer.ignored) cfg.ignored = [...new Set([...cfg.ignored, ...layer.ignored])]
    if (layer.trustedRegistries) cfg.trustedRegistries = [...layer.trustedRegistries]
    if (layer.failureThreshold) cfg.failureThreshold = layer.failureThreshold
    if (layer.noFail !== undefined) cfg.noFail = layer.noFail
    if ('disableIgnorePragma' in layer && layer.disableIgnorePragma !== undefined)
      cfg.disableIgnorePragma = layer.disableIgnorePragma
    if ('source' in layer && layer.source) cfg.source = layer.source
    if (layer.override) {
      for (const s of SEVERITIES) {
        for (const code of layer.override[s] ?? []) {
          for (const other of SEVERITIES) {
            const list = cfg.override[other]
            if (list?.includes(code)) cfg.override[other] = list.filter((c) => c !== code)
          }
          cfg.override[s] = [...(cfg.override[s] ?? []), code]
        }
      }
    }
  }
  return cfg
}

/** Resolves the config for one Dockerfile: explicit file or discovery, then env, then overrides. */
export function resolveConfig(opts: {
  configFile?: string
  overrides?: LintOverrides
  cwd?: string
  env?: NodeJS.ProcessEnv
  defaultThreshold?: Threshold
}): LintConfig {
  const env = opts.env ?? process.env
  const file = opts.configFile
    ? resolve(opts.cwd ?? process.cwd(), opts.configFile)
    : (env.HADOLINT_CONFIG ?? discoverConfig(opts.cwd, env))
  if (opts.configFile && !existsSync(file!))
    throw new UserError(`lint config file not found: ${opts.configFile}`)
  const fromFile = file ? loadConfigFile(file) : undefined
  const defaults = opts.defaultThreshold ? { failureThreshold: opts.defaultThreshold } : undefined
  return mergeConfig(defaults, fromFile, configFromEnv(env), opts.overrides)
}
