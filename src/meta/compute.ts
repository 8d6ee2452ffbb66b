import * as pep440 from '@renovatebot/pep440'
import Handlebars from 'handlebars'
import semver from 'semver'
import { UserError } from '../errors.js'
import { DEFAULT_SHORT_SHA_LENGTH } from './defaults.js'
import { globalExpressions, dateHelpers, render, type ExpressionContext } from './expressions.js'
import { parseFlavor, type Flavor } from './flavor.js'
import { parseImages } from './images.js'
import { parseTagRules, type TagRule } from './rules.js'
import { sanitizeTag } from './sanitize.js'
import {
  commitDateFromPayload,
  repositoryFromPayload,
  type GitContext,
  type MetaInputs,
  type MetaResult,
  type RepositoryInfo
} from './types.js'

interface Version {
  main?: string
  partial: string[]
  /** Decided by the first rule (in priority order) that produced a tag. */
  latest?: boolean
}

const ANNOTATION_LEVELS = ['manifest', 'index', 'manifest-descriptor', 'index-descriptor']
const LEVEL_PREFIX_RE = /^(manifest|index|manifest-descriptor|index-descriptor)(\[[^\]]*\])?:/

/** The context as the reference sees it, after its two adjustments for pull requests. */
function effectiveContext(ctx: GitContext, env: NodeJS.ProcessEnv): { ref: string; sha: string } {
  let { ref, sha } = ctx
  const payload = ctx.payload as { number?: unknown; pull_request?: { head?: { sha?: unknown } } }
  // pull_request_target runs on the base branch; the reference rewrites the ref to the PR's merge
  // ref so that type=ref,event=pr and {{base_ref}} work for it too.
  if (
    /pull_request_target/.test(ctx.eventName) &&
    (typeof payload.number === 'number' || typeof payload.number === 'string')
  ) {
    ref = `refs/pull/${String(payload.number)}/merge`
  }
  if (
    /true/i.test(env['DOCKER_METADATA_PR_HEAD_SHA'] ?? '') &&
    /pull_request/.test(ctx.eventName)
  ) {
    const head = payload.pull_request?.head?.sha
    if (typeof head === 'string' && head.length > 0) sha = head
  }
  return { ref, sha }
}

export function shortShaLength(env: NodeJS.ProcessEnv): number {
  const raw = env['DOCKER_METADATA_SHORT_SHA_LENGTH']
  if (raw === undefined || raw === '') return DEFAULT_SHORT_SHA_LENGTH
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1) {
    throw new UserError(
      `DOCKER_METADATA_SHORT_SHA_LENGTH must be a whole number of characters, 1 or more (got "${raw}").`
    )
  }
  return Number(raw)
}

function annotationLevels(inputs: MetaInputs, env: NodeJS.ProcessEnv): string[] {
  const raw = env['DOCKER_METADATA_ANNOTATIONS_LEVELS'] || inputs.annotationLevels || 'manifest'
  const levels = raw
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
  for (const level of levels) {
    if (!ANNOTATION_LEVELS.includes(level)) {
      throw new UserError(
        `DOCKER_METADATA_ANNOTATIONS_LEVELS: unknown level "${level}". Use a comma-separated list of ${ANNOTATION_LEVELS.join(', ')}.`
      )
    }
  }
  return levels.length > 0 ? levels : ['manifest']
}

/** `key=value` lines of the labels/annotations inputs; a line without "=" is skipped with a warning. */
function keyValueLines(input: string, inputName: string, warnings: string[]): [string, string][] {
  const out: [string, string][] = []
  for (const line of input.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue
    const i = trimmed.indexOf('=')
    if (i <= 0) {
      warnings.push(`${inputName}: "${trimmed}" is not key=value and was ignored.`)
      continue
    }
    out.push([trimmed.slice(0, i).trim(), trimmed.slice(i + 1).trim()])
  }
  return out
}

class Engine {
  readonly warnings: string[] = []
  /** Why each rule gave nothing, to explain an empty result. */
  readonly skipped: string[] = []
  private produced = false
  private readonly exprContext: ExpressionContext
  private readonly globals: object
  private readonly shaLength: number

  constructor(
    private readonly ctx: GitContext,
    private readonly ref: string,
    private readonly sha: string,
    private readonly flavor: Flavor,
    private readonly repo: RepositoryInfo,
    env: NodeJS.ProcessEnv,
    now: Date
  ) {
    this.shaLength = shortShaLength(env)
    const commitDate = ctx.commitDate ?? commitDateFromPayload(ctx.payload, sha)
    const warnings = this.warnings
    let warned = false
    this.exprContext = {
      eventName: ctx.eventName,
      ref,
      shortSha: this.shortSha(sha),
      payload: ctx.payload,
      ...(repo.defaultBranch !== undefined ? { defaultBranch: repo.defaultBranch } : {}),
      now,
      get commitDate(): Date {
        if (commitDate === undefined && !warned) {
          warned = true
          warnings.push(
            'The commit date is unknown here (not in the event payload, no checkout, no API access): {{commit_date}} used the current time.'
          )
        }
        return commitDate ?? now
      }
    }
    this.globals = globalExpressions(this.exprContext)
  }

  private shortSha(sha: string): string {
    return this.shaLength >= sha.length ? sha : sha.slice(0, this.shaLength)
  }

  private expr(template: string, rule?: TagRule): string {
    return render(template, this.globals, rule ? `"${rule.source}"` : 'flavor')
  }

  /** Adds the rule's prefix/suffix, or the flavor's when the rule sets none (even an empty one). */
  private withAffixes(value: string, rule: TagRule): string {
    let v = value
    if (Object.hasOwn(rule.attrs, 'prefix')) v = `${this.expr(rule.attrs['prefix'], rule)}${v}`
    else if (this.flavor.prefix.length > 0) v = `${this.expr(this.flavor.prefix)}${v}`
    if (Object.hasOwn(rule.attrs, 'suffix')) v = `${v}${this.expr(rule.attrs['suffix'], rule)}`
    else if (this.flavor.suffix.length > 0) v = `${v}${this.expr(this.flavor.suffix)}`
    return v
  }

  private latestFor(autoValue: boolean): boolean {
    return this.flavor.latest === 'auto' || this.flavor.latest === 'highest'
      ? autoValue
      : this.flavor.latest === 'true'
  }

  private sanitized(value: string): string | undefined {
    const s = sanitizeTag(value)
    if (s.changed)
      this.warnings.push(
        `Tag ${s.changed} (Docker's tag grammar is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).`
      )
    return s.tag
  }

  private add(version: Version, value: string, latest: boolean): void {
    if (value.length === 0) return
    const tag = this.sanitized(value)
    if (tag === undefined) return
    this.produced = true
    if (version.main === undefined) version.main = tag
    else if (tag !== version.main) version.partial.push(tag)
    version.latest ??= latest
  }

  compute(rules: TagRule[]): Version {
    const version: Version = { partial: [] }
    for (const rule of rules) {
      const enabled = this.expr(rule.attrs['enable'], rule)
      if (enabled !== 'true' && enabled !== 'false') {
        throw new UserError(
          `tags: enable must evaluate to true or false in "${rule.source}" (got "${enabled}").`
        )
      }
      if (enabled === 'false') {
        this.skipped.push(`"${rule.source}" is disabled (enable=${rule.attrs['enable']})`)
        continue
      }
      this.produced = false
      this.apply(version, rule)
      if (!this.produced) this.skipped.push(`"${rule.source}" ${this.whyNothing(rule)}`)
    }
    version.partial = version.partial.filter((t, i) => version.partial.indexOf(t) === i)
    version.latest ??= false
    return version
  }

  private whyNothing(rule: TagRule): string {
    switch (rule.type) {
      case 'schedule':
        return 'applies to schedule events only'
      case 'semver':
      case 'pep440':
      case 'match':
        return rule.attrs['value']
          ? 'did not yield a version'
          : 'applies to tag refs (refs/tags/*) only, or needs value='
      case 'edge':
        return 'applies to pushes to the default (or given) branch only'
      case 'ref':
        return rule.attrs['event'] === 'pr'
          ? 'applies to pull_request events only'
          : `applies to ${rule.attrs['event']} refs only (refs/${rule.attrs['event'] === 'tag' ? 'tags' : 'heads'}/*)`
      case 'sha':
        return 'has no commit SHA to use'
      default:
        return 'gave an empty value'
    }
  }

  private apply(version: Version, rule: TagRule): void {
    switch (rule.type) {
      case 'schedule':
        return this.schedule(version, rule)
      case 'semver':
        return this.semver(version, rule)
      case 'pep440':
        return this.pep440(version, rule)
      case 'match':
        return this.match(version, rule)
      case 'edge':
        return this.edge(version, rule)
      case 'ref':
        return this.refRule(version, rule)
      case 'raw':
        return this.add(
          version,
          this.withAffixes(this.expr(rule.attrs['value'], rule), rule),
          this.latestFor(false)
        )
      case 'sha': {
        if (!this.sha) return
        const value = rule.attrs['format'] === 'long' ? this.sha : this.shortSha(this.sha)
        return this.add(version, this.withAffixes(value, rule), this.latestFor(false))
      }
    }
  }

  private schedule(version: Version, rule: TagRule): void {
    if (!/schedule/.test(this.ctx.eventName)) return
    const value = render(rule.attrs['pattern'], dateHelpers(this.exprContext), `"${rule.source}"`)
    this.add(version, this.withAffixes(value, rule), this.latestFor(false))
  }

  /** The version string a semver/pep440/match rule works on: value= if given, else the tag name. */
  private versionSource(rule: TagRule): string | undefined {
    if (rule.attrs['value'].length > 0) return this.expr(rule.attrs['value'], rule)
    if (!/^refs\/tags\//.test(this.ref)) return undefined
    return this.ref.replace(/^refs\/tags\//, '').replace(/\//g, '-')
  }

  /**
   * semver/pep440: `match=` picks the version out of the tag or value first (its first capture
   * group, before `/` becomes `-`), as the reference does: `p1/v1.2.3` with `match=v(\d.\d.\d)$`
   * is `1.2.3`. A match that fails warns and keeps the whole string.
   */
  private matchedVersion(rule: TagRule): string | undefined {
    let raw: string
    if (rule.attrs['value'].length > 0) raw = this.expr(rule.attrs['value'], rule)
    else if (/^refs\/tags\//.test(this.ref)) raw = this.ref.replace(/^refs\/tags\//, '')
    else return undefined
    const match = rule.attrs['match'] ?? ''
    if (match.length > 0) {
      const m = raw.match(new RegExp(match))
      if (!m) this.warnings.push(`${match} does not match ${raw}.`)
      else raw = m[1]
    }
    return raw.replace(/\//g, '-')
  }

  private semver(version: Version, rule: TagRule): void {
    const raw = this.matchedVersion(rule)
    if (raw === undefined) return
    if (!semver.valid(raw)) {
      this.warnings.push(
        `${raw} is not a valid semver, so "${rule.source}" gave no tag. More info: https://semver.org/`
      )
      return
    }
    const parsed = semver.parse(raw, { loose: true })!
    const pattern = rule.attrs['pattern']
    let value: string
    let latest = false
    if (semver.prerelease(raw)) {
      // A pre-release only ever gets its full version: 2.0.0-rc.1 must not move "2.0" or "2".
      value = render(isRawStatement(pattern) ? pattern : '{{version}}', parsed, `"${rule.source}"`)
    } else {
      value = render(pattern, parsed, `"${rule.source}"`)
      latest = true
    }
    this.add(version, this.withAffixes(value, rule), this.latestFor(latest))
  }

  private pep440(version: Version, rule: TagRule): void {
    const raw = this.matchedVersion(rule)
    if (raw === undefined) return
    if (!pep440.valid(raw)) {
      this.warnings.push(
        `${raw} does not conform to PEP 440, so "${rule.source}" gave no tag. More info: https://www.python.org/dev/peps/pep-0440`
      )
      return
    }
    const explained = pep440.explain(raw)!
    const pattern = rule.attrs['pattern']
    let value: string
    let latest = false
    if (explained.is_prerelease || explained.is_postrelease || explained.is_devrelease) {
      value = isRawStatement(pattern) ? raw : (pep440.clean(raw) ?? raw)
    } else {
      value = render(
        pattern,
        {
          raw: () => raw,
          version: () => pep440.clean(raw),
          major: () => pep440.major(raw),
          minor: () => pep440.minor(raw),
          patch: () => pep440.patch(raw)
        },
        `"${rule.source}"`
      )
      latest = true
    }
    this.add(version, this.withAffixes(value, rule), this.latestFor(latest))
  }

  private match(version: Version, rule: TagRule): void {
    const raw = this.versionSource(rule)
    if (raw === undefined) return
    const pattern = rule.attrs['pattern']
    let re: RegExp
    try {
      const literal = /^\/(.+)\/(.*)$/.exec(pattern)
      re = literal ? new RegExp(literal[1], literal[2]) : new RegExp(pattern)
    } catch (e) {
      throw new UserError(
        `tags: pattern is not a valid regular expression in "${rule.source}": ${(e as Error).message}`
      )
    }
    const m = raw.match(re)
    const group = Number(rule.attrs['group'])
    if (!m) {
      this.warnings.push(`${pattern} does not match ${raw}, so "${rule.source}" gave no tag.`)
      return
    }
    if (m[group] === undefined) {
      this.warnings.push(
        `${pattern} has no capture group ${group} matching ${raw}, so "${rule.source}" gave no tag.`
      )
      return
    }
    this.add(version, this.withAffixes(m[group], rule), this.latestFor(true))
  }

  private edge(version: Version, rule: TagRule): void {
    if (!/^refs\/heads\//.test(this.ref)) return
    const branch = this.ref.replace(/^refs\/heads\//, '')
    let wanted = rule.attrs['branch']
    if (wanted.length === 0) {
      if (this.repo.defaultBranch === undefined) {
        this.warnings.push(
          `"${rule.source}": the default branch is unknown here, so no edge tag; give it with branch=<name>.`
        )
        return
      }
      wanted = this.repo.defaultBranch
    }
    if (wanted !== branch) return
    this.add(version, this.withAffixes('edge', rule), this.latestFor(false))
  }

  private refRule(version: Version, rule: TagRule): void {
    switch (rule.attrs['event']) {
      case 'branch': {
        if (!/^refs\/heads\//.test(this.ref)) return
        const name = this.ref.replace(/^refs\/heads\//, '').replace(/[^a-zA-Z0-9._-]+/g, '-')
        return this.add(version, this.withAffixes(name, rule), this.latestFor(false))
      }
      case 'tag': {
        if (!/^refs\/tags\//.test(this.ref)) return
        const name = this.ref.replace(/^refs\/tags\//, '').replace(/[^a-zA-Z0-9._-]+/g, '-')
        // The reference gives `latest` to any tag here, pre-release or not (kept for compatibility).
        return this.add(version, this.withAffixes(name, rule), this.latestFor(true))
      }
      case 'pr': {
        if (!/^refs\/pull\//.test(this.ref)) return
        const number = this.ref.replace(/^refs\/pull\//, '').replace(/\/merge$/, '')
        return this.add(version, this.withAffixes(number, rule), this.latestFor(false))
      }
    }
  }

  latestTag(): string | undefined {
    const f = this.flavor
    const value = `${f.prefixLatest ? this.expr(f.prefix) : ''}latest${f.suffixLatest ? this.expr(f.suffix) : ''}`
    return this.sanitized(value)
  }
}

/** A pattern that is exactly {{raw}}: pre-releases then keep their raw form instead of {{version}}. */
function isRawStatement(pattern: string): boolean {
  try {
    const ast = Handlebars.parseWithoutProcessing(pattern)
    if (ast.body.length !== 1) return false
    const stmt = ast.body[0] as { type: string; path?: { parts?: string[] } }
    return (
      stmt.type === 'MustacheStatement' &&
      stmt.path?.parts?.length === 1 &&
      stmt.path.parts[0] === 'raw'
    )
  } catch {
    return false
  }
}

/**
 * Computes tags, labels and annotations from the inputs and the git context. Pure: everything it
 * needs is in its arguments. Throws UserError on a configuration error.
 */
export function computeMeta(
  inputs: MetaInputs,
  ctx: GitContext,
  env: NodeJS.ProcessEnv = process.env,
  now: Date = new Date()
): MetaResult {
  const images = parseImages(inputs.images ?? '')
  const rules = parseTagRules(inputs.tags ?? '')
  const flavor = parseFlavor(inputs.flavor ?? '')
  const levels = annotationLevels(inputs, env)
  const { ref, sha } = effectiveContext(ctx, env)
  const repo: RepositoryInfo = {
    ...repositoryFromPayload(ctx.payload),
    ...definedOnly(ctx.repository ?? {})
  }
  repo.defaultBranch ??= ctx.defaultBranch
  if (repo.defaultBranch === undefined) delete repo.defaultBranch

  const engine = new Engine(ctx, ref, sha, flavor, repo, env, now)
  const version = engine.compute(rules)

  const tagNames: string[] = []
  let latestTag: string | undefined
  if (version.main !== undefined) {
    tagNames.push(version.main, ...version.partial)
    if (version.latest) {
      latestTag = engine.latestTag()
      if (latestTag !== undefined) tagNames.push(latestTag)
    }
  }
  const uniqueNames = tagNames.filter((t, i) => tagNames.indexOf(t) === i)
  const enabledImages = images.filter((i) => i.enable).map((i) => i.name)
  const enabledUnique = enabledImages.filter((n, i) => enabledImages.indexOf(n) === i)
  const tags =
    enabledUnique.length > 0
      ? enabledUnique.flatMap((image) => uniqueNames.map((t) => `${image}:${t}`))
      : [...uniqueNames]

  const warnings = engine.warnings
  if (uniqueNames.length === 0) {
    const isPr = /^refs\/pull\//.test(ref)
    const why = engine.skipped.length > 0 ? ` Rules: ${engine.skipped.join('; ')}.` : ''
    warnings.push(
      isPr
        ? `No Docker tag has been generated for ${ctx.eventName} on ${ref || '(no ref)'}.${why}`
        : `No Docker tag has been generated for ${ctx.eventName || 'this event'} on ${ref || '(no ref)'}: pushing would fail ` +
            `with "tag is needed when pushing to registry".${why} Add a rule that matches this event, ` +
            'for example type=ref,event=branch, type=sha or type=raw,value=...'
    )
  }

  const versionOut = version.main ?? ''
  const base: [string, string][] = [
    ['org.opencontainers.image.title', repo.name ?? ''],
    ['org.opencontainers.image.description', repo.description ?? ''],
    ['org.opencontainers.image.url', repo.htmlUrl ?? ''],
    ['org.opencontainers.image.source', repo.htmlUrl ?? ''],
    ['org.opencontainers.image.version', versionOut],
    ['org.opencontainers.image.created', now.toISOString()],
    ['org.opencontainers.image.revision', sha ?? ''],
    ['org.opencontainers.image.licenses', repo.license ?? '']
  ]
  const labels = sortedRecord([...base, ...keyValueLines(inputs.labels ?? '', 'labels', warnings)])
  const annotationValues = sortedRecord([
    ...base,
    ...keyValueLines(inputs.annotations ?? '', 'annotations', warnings)
  ])
  const annotations: string[] = []
  const explicitLevel: string[] = []
  for (const [key, value] of Object.entries(annotationValues)) {
    // An annotation written with its own level (index:key=value) goes to that level only.
    if (LEVEL_PREFIX_RE.test(key)) explicitLevel.push(`${key}=${value}`)
  }
  for (const level of levels) {
    for (const [key, value] of Object.entries(annotationValues)) {
      if (!LEVEL_PREFIX_RE.test(key)) annotations.push(`${level}:${key}=${value}`)
    }
  }
  annotations.push(...explicitLevel)

  return {
    version: versionOut,
    tags,
    tagNames: uniqueNames,
    ...(latestTag !== undefined ? { latestTag } : {}),
    labels,
    annotations,
    images: enabledUnique,
    warnings,
    json: { tags, labels, annotations }
  }
}

function sortedRecord(entries: [string, string][]): Record<string, string> {
  const map = new Map<string, string>()
  for (const [k, v] of entries) map.set(k, v)
  const out: Record<string, string> = {}
  for (const key of [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    out[key] = map.get(key)!
  return out
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
