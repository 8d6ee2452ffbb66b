import { existsSync } from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import type { ScanSeverity } from '../config.js'
import { SEVERITIES } from '../config.js'
import { UserError } from '../errors.js'
import type { ScanFinding, TrivyReport } from './report.js'

// ---------------------------------------------------------------- ignore files

export interface IgnoreFileInfo {
  path: string
  /** input: scan-ignore-file; default: found in the context or workspace. */
  origin: 'input' | 'default'
  format: 'yaml' | 'plain'
  entries: number
  /** Entries whose expiry date has passed: Trivy no longer applies them. */
  expired: { id: string; expiredAt: string }[]
}

export const DEFAULT_IGNORE_FILES = ['.trivyignore.yaml', '.trivyignore.yml', '.trivyignore']

/** The explicit file (which must exist), else the first default file in the context, then the workspace. */
export function findIgnoreFile(
  explicit: string,
  dirs: string[]
): { path: string; origin: 'input' | 'default' } | undefined {
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new UserError(
        `scan-ignore-file ${explicit} does not exist. Fix the path, or leave the input empty to use a .trivyignore in the context or workspace.`
      )
    }
    return { path: explicit, origin: 'input' }
  }
  for (const dir of [...new Set(dirs)]) {
    for (const name of DEFAULT_IGNORE_FILES) {
      const p = path.join(dir, name)
      if (existsSync(p)) return { path: p, origin: 'default' }
    }
  }
  return undefined
}

/** Counts the entries and the expired ones, the way Trivy reads each format (pkg/result/ignore.go). */
export function describeIgnoreFile(
  file: string,
  origin: 'input' | 'default',
  text: string,
  now: Date
): IgnoreFileInfo {
  const yaml = /\.ya?ml$/i.test(file)
  const info: IgnoreFileInfo = {
    path: file,
    origin,
    format: yaml ? 'yaml' : 'plain',
    entries: 0,
    expired: []
  }
  const expiredAt = (id: string, when: unknown): void => {
    if (when === undefined || when === null || when === '') return
    const text = typeof when === 'string' || typeof when === 'number' ? String(when) : ''
    const d = when instanceof Date ? when : new Date(text)
    if (Number.isNaN(d.getTime())) {
      throw new UserError(
        `${file}: entry ${id} has an unreadable expiry date "${text || JSON.stringify(when)}"; use YYYY-MM-DD.`
      )
    }
    if (d <= now) info.expired.push({ id, expiredAt: d.toISOString().slice(0, 10) })
  }
  if (yaml) {
    let doc: unknown
    try {
      doc = YAML.parse(text)
    } catch (e) {
      throw new UserError(`${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`)
    }
    const sections = (doc ?? {}) as Record<string, unknown>
    for (const key of ['vulnerabilities', 'secrets', 'misconfigurations', 'licenses']) {
      const list = sections[key]
      if (list === undefined || list === null) continue
      if (!Array.isArray(list)) throw new UserError(`${file}: "${key}" must be a list of entries.`)
      for (const e of list as Record<string, unknown>[]) {
        const id = typeof e?.id === 'string' ? e.id : ''
        if (!id) throw new UserError(`${file}: every entry under "${key}" needs an id.`)
        info.entries++
        expiredAt(id, e.expired_at)
      }
    }
    return info
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const [id, ...fields] = line.split(/\s+/)
    info.entries++
    const exp = fields.find((f) => f.startsWith('exp:'))
    if (exp) expiredAt(id, exp.slice(4))
  }
  return info
}

// ------------------------------------------------------------ suppressed counts

export interface Suppressed {
  /** Removed by the ignore file. */
  ignored: number
  /** Removed by a VEX statement. */
  vex: number
}

export function countSuppressed(report: TrivyReport): Suppressed {
  const out: Suppressed = { ignored: 0, vex: 0 }
  for (const r of report.Results ?? []) {
    for (const m of r.ExperimentalModifiedFindings ?? []) {
      if (m.Status === 'ignored') out.ignored++
      else out.vex++
    }
  }
  return out
}

// --------------------------------------------------------------------- baseline

/** Identity of a finding across two images: the artifact name in Trivy's Target differs, the package does not. */
export function findingKey(f: ScanFinding): string {
  if (f.kind === 'secret') return `secret|${f.id}|${f.target}`
  return `vuln|${f.id}|${f.pkg ?? ''}|${f.pkgPath ?? ''}`
}

export interface BaselineComparison {
  newFindings: ScanFinding[]
  fixed: ScanFinding[]
  unchanged: ScanFinding[]
}

export function compareWithBaseline(
  current: ScanFinding[],
  baseline: ScanFinding[]
): BaselineComparison {
  const before = new Set(baseline.map(findingKey))
  const now = new Set(current.map(findingKey))
  return {
    newFindings: current.filter((f) => !before.has(findingKey(f))),
    unchanged: current.filter((f) => before.has(findingKey(f))),
    fixed: baseline.filter((f) => !now.has(findingKey(f)))
  }
}

// --------------------------------------------------------------------- grouping

/**
 * Orders version strings the way most package managers roughly agree on: numeric runs compare as
 * numbers, `~` sorts before anything (Debian), other characters by code point. Good enough to pick
 * the highest of several fixed versions of one package; never used to decide whether something is
 * vulnerable (Trivy did that).
 */
export function compareVersions(a: string, b: string): number {
  const tok = (s: string): string[] => s.match(/\d+|~|[^\d~]+/g) ?? []
  const x = tok(a)
  const y = tok(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i]
    const q = y[i]
    if (p === q) continue
    if (p === undefined) return q === '~' ? 1 : -1
    if (q === undefined) return p === '~' ? -1 : 1
    if (p === '~') return -1
    if (q === '~') return 1
    const pn = /^\d+$/.test(p)
    const qn = /^\d+$/.test(q)
    if (pn && qn) {
      const d = Number(p) - Number(q)
      if (d !== 0) return d < 0 ? -1 : 1
      continue
    }
    if (pn !== qn) return pn ? 1 : -1
    return p < q ? -1 : 1
  }
  return 0
}

/** Trivy lists several fixed versions (`1.2.5, 2.0.1`) when branches were patched separately: take the lowest above the installed one. */
export function fixFor(installed: string | undefined, fixed: string): string {
  const options = fixed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort(compareVersions)
  if (!installed) return options[options.length - 1] ?? fixed
  return (
    options.find((o) => compareVersions(o, installed) > 0) ?? options[options.length - 1] ?? fixed
  )
}

export interface PackageFix {
  pkg: string
  installed?: string
  pkgPath?: string
  /** The version that fixes every fixable finding of the package; undefined when none has a fix. */
  fixTo?: string
  fixes: Record<ScanSeverity, number>
  /** Findings without a fix yet. */
  unfixed: number
  ids: string[]
  worst: ScanSeverity
}

export function groupByPackage(findings: ScanFinding[]): PackageFix[] {
  const groups = new Map<string, PackageFix>()
  const rank = (s: ScanSeverity): number => SEVERITIES.indexOf(s)
  for (const f of findings) {
    if (f.kind !== 'vulnerability' || !f.pkg) continue
    const key = `${f.pkg}|${f.installed ?? ''}|${f.pkgPath ?? ''}`
    let g = groups.get(key)
    if (!g) {
      g = {
        pkg: f.pkg,
        installed: f.installed,
        pkgPath: f.pkgPath,
        fixes: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<ScanSeverity, number>,
        unfixed: 0,
        ids: [],
        worst: f.severity
      }
      groups.set(key, g)
    }
    g.ids.push(f.id)
    if (rank(f.severity) > rank(g.worst)) g.worst = f.severity
    if (f.fixed) {
      const to = fixFor(f.installed, f.fixed)
      g.fixes[f.severity]++
      if (!g.fixTo || compareVersions(to, g.fixTo) > 0) g.fixTo = to
    } else g.unfixed++
  }
  const fixedCount = (g: PackageFix): number => SEVERITIES.reduce((n, s) => n + g.fixes[s], 0)
  return [...groups.values()].sort(
    (a, b) =>
      rank(b.worst) - rank(a.worst) || fixedCount(b) - fixedCount(a) || a.pkg.localeCompare(b.pkg)
  )
}

/** "upgrade libexpat1 to 2.5.0-1+deb12u2: fixes 1 critical, 2 high (1 without a fix yet)". */
export function describePackageFix(g: PackageFix): string {
  const fixed = [...SEVERITIES]
    .reverse()
    .filter((s) => g.fixes[s] > 0)
    .map((s) => `${g.fixes[s]} ${s.toLowerCase()}`)
  const where = g.pkgPath ? ` (${g.pkgPath})` : ''
  const unfixed = g.unfixed ? `${g.unfixed} without a fix yet` : ''
  if (!g.fixTo) return `${g.pkg} ${g.installed ?? ''}${where}: ${unfixed}`.replace(/ +:/, ':')
  return (
    `upgrade ${g.pkg}${where} to ${g.fixTo}: fixes ${fixed.join(', ')}` +
    (unfixed ? ` (${unfixed})` : '')
  )
}
