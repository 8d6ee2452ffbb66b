import path from 'node:path'
import type { Config } from './config.js'
import { UserError } from './errors.js'
import type { GitContext, MetaResult } from './meta/index.js'
import { decidePush, type PushDecision } from './policy.js'
import { canonicalRegistry, registryOf, repositoryOf } from './reference.js'
import { nativePlatform } from './build/platforms.js'
import { parseFlavor } from './meta/flavor.js'
import { pushOrder } from './push/index.js'

/** What the run found out about the machine before planning (the only impure inputs). */
export interface EngineFacts {
  /** `containerd` when the daemon uses the containerd image store (Docker 29's default). */
  store: 'containerd' | 'classic'
  version: string
  /** The docker CLI context's name: the `docker` driver builder of this daemon has this name. */
  context: string
  /** Driver of the `builder` input's builder, when one was named. */
  namedBuilderDriver?: string
  /** Nodes of the `builder` input's builder (`buildx create --append` adds one per platform). */
  namedBuilderNodes?: number
  /** The daemon's platform (`linux/amd64`): the one platform of a multi-platform build it can run. */
  platform?: string
}

/**
 * How the tested bytes reach the registry.
 * - `daemon`: the daemon's own BuildKit (docker driver, containerd store) writes the image straight
 *   into the daemon's store (no tarball load); the same build writes an OCI layout of the same
 *   manifest for the scan and the push.
 * - `load`: a separate builder (docker-container, remote, named) loads a tarball into the daemon for
 *   the smoke test and writes the OCI layout in the same build.
 */
export type BuildPath = 'daemon' | 'load'

export interface BuilderPlan {
  /** `use`: an existing builder (named, or the daemon's docker driver); `create`: ours, removed after. */
  mode: 'use' | 'create'
  name: string
  /** docker, docker-container, remote, or a named builder's driver. */
  driver: string
}

export interface CachePlan {
  /** Where the cache lives, for the log; '' when off. */
  ref: string
  from: string[]
  to: string[]
  note: string
}

/** Where a registry's credentials come from (named in login and push failures). */
export type CredentialSource =
  { kind: 'registry-auth'; line: number } | { kind: 'inputs' } | { kind: 'docker-config' }

export interface LoginPlan {
  /** Host as given to `docker login` (canonical, or the `registry` input as written). */
  registry: string
  /** Empty for `docker-config`: known only once the configuration is read. */
  username: string
  source: CredentialSource
}

/** The input (or configuration) a credential came from, for messages. */
export function credentialLabel(source: CredentialSource): string {
  switch (source.kind) {
    case 'registry-auth':
      return `the "registry-auth" input, line ${source.line}`
    case 'inputs':
      return 'the "username" and "password" inputs'
    case 'docker-config':
      return 'the Docker client configuration'
  }
}

/**
 * Which registries the run logs in to, and with what. Only a pushing run logs in anywhere. Every
 * registry an image (or an explicit registry cache) names gets its credentials from its
 * `registry-auth` line, else from `username`/`password` when it is the `registry` input, else from
 * the Docker client configuration. Without any credential input the run logs in nowhere and uses
 * the Docker client configuration as it is.
 */
export function planLogins(
  cfg: Pick<Config, 'registry' | 'username' | 'registryAuth' | 'cache'>,
  images: string[],
  pushing: boolean
): LoginPlan[] {
  if (!pushing || (!cfg.username && cfg.registryAuth.length === 0)) return []
  const registries = images.map(registryOf)
  if (cfg.cache.mode === 'explicit' && cfg.cache.ref) registries.push(registryOf(cfg.cache.ref))
  const inputsRegistry = canonicalRegistry(cfg.registry)
  const out: LoginPlan[] = []
  for (const registry of new Set(registries)) {
    const auth = cfg.registryAuth.find((a) => a.registry === registry)
    if (auth) {
      out.push({
        registry,
        username: auth.username,
        source: { kind: 'registry-auth', line: auth.line }
      })
    } else if (cfg.username && registry === inputsRegistry) {
      out.push({ registry: cfg.registry, username: cfg.username, source: { kind: 'inputs' } })
    } else {
      out.push({ registry, username: '', source: { kind: 'docker-config' } })
    }
  }
  return out
}

export interface RunPlan {
  push: PushDecision
  /** Registries to log in to before the build (empty unless the run pushes). */
  logins: LoginPlan[]
  builder: BuilderPlan
  path: BuildPath
  cache: CachePlan
  /** Local tags of the image under test (in the daemon). */
  localTags: string[]
  /** Tags to move after every gate passed, in push order. */
  pushTags: string[]
  /** BuildKit exporter annotation options (`annotation-manifest.k=v`, ...). */
  annotations: string[]
  layoutDir: string
  /** `--platform`: empty (the builder's own), one platform, or several joined by commas. */
  platform: string
  /** Of a multi-platform build: the daemon's platform, smoke-tested; every platform is scanned. */
  nativePlatform?: string
  /** The builder's docker exporter cannot take the index: load the native platform from the layout. */
  loadFromLayout: boolean
  /** A builder with one node per platform: one build per platform, joined into one index. */
  perPlatformBuilds: boolean
  /** `latest=highest`: the push keeps `latest` off versions below the highest in the registry. */
  latestHighest?: { tag: string; version: string; prefix: string; suffix: string }
}

/** `[level:]key=value` (metadata-action's output) -> BuildKit exporter options. */
export function exporterAnnotations(annotations: string[], multiPlatform: boolean): string[] {
  const out: string[] = []
  for (const a of annotations) {
    const eq = a.indexOf('=')
    if (eq <= 0) continue
    let key = a.slice(0, eq)
    const value = a.slice(eq + 1)
    let levels = ['manifest']
    const m =
      /^((?:manifest|index|manifest-descriptor|index-descriptor)(?:,(?:manifest|index|manifest-descriptor|index-descriptor))*)(\[[^\]]*\])?:(.*)$/.exec(
        key
      )
    if (m) {
      levels = m[1].split(',')
      key = m[3]
      if (m[2]) levels = levels.map((l) => `${l}${m[2]}`)
    }
    for (const level of levels) {
      // An index exists only for multi-platform images; its annotations would be dropped otherwise.
      if (level.startsWith('index') && !multiPlatform) continue
      out.push(`annotation-${level}.${key}=${value}`)
    }
  }
  return out
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 100) || 'default'
  )
}

/**
 * The cache export compresses only the layers that have no blob yet (with `mode=max`, the builder
 * stages; the image's layers keep the gzip blobs its exporter made, since compression is not
 * forced). zstd is what keeps that export, which runs beside the smoke test and the scan, off the
 * cores they need.
 */
function compressionAttrs(cfg: Config['cache']): string {
  return `compression=${cfg.compression}`
}

/**
 * The registry cache: one scope per image and branch, read with a fallback to the default branch's;
 * written (in the build itself) only by runs that push, since only those are logged in and trusted.
 */
export function planCache(
  cfg: Config['cache'],
  images: string[],
  pushing: boolean,
  ctx: Pick<GitContext, 'ref'> & { defaultBranch?: string; baseRef?: string }
): CachePlan {
  if (cfg.mode === 'off') return { ref: '', from: [], to: [], note: 'cache: off' }
  if (cfg.mode === 'gha') {
    const scope = `ml-docker-${slug(images[0] ?? 'image')}`
    return {
      ref: `gha:${scope}`,
      from: [`type=gha,scope=${scope}`],
      to: pushing
        ? [`type=gha,scope=${scope},mode=${cfg.exportMode},${compressionAttrs(cfg)}`]
        : [],
      note: pushing
        ? 'GitHub Actions cache read and written'
        : 'GitHub Actions cache read-only (this run does not push)'
    }
  }
  const explicit = cfg.mode === 'explicit' ? cfg.ref : ''
  const repo = explicit ? '' : images[0] ? repositoryOf(images[0]) : ''
  if (!explicit && !repo)
    return { ref: '', from: [], to: [], note: 'no image name to derive a cache reference from' }
  const defaultBranch = ctx.defaultBranch || 'main'
  const branch = /^refs\/heads\//.test(ctx.ref)
    ? ctx.ref.slice('refs/heads/'.length)
    : ctx.baseRef || defaultBranch
  const refFor = (b: string): string => explicit || `${repo}:buildcache-${slug(b)}`
  const ref = refFor(branch)
  const from = [...new Set([ref, refFor(defaultBranch)])].map((r) => `type=registry,ref=${r}`)
  if (!pushing)
    return { ref, from, to: [], note: `cache read-only from ${ref} (this run does not push)` }
  return {
    ref,
    from,
    to: [
      `type=registry,ref=${ref},mode=${cfg.exportMode},${compressionAttrs(cfg)},image-manifest=true,oci-mediatypes=true,ignore-error=true`
    ],
    note: `cache read and written in the build (${ref}, mode=${cfg.exportMode})`
  }
}

export function chooseBuilder(
  cfg: Pick<Config, 'builder' | 'buildkitEndpoint' | 'buildkitImage' | 'buildkitdConfig'>,
  engine: EngineFacts,
  runId: string
): { builder: BuilderPlan; path: BuildPath } {
  if (cfg.builder) {
    const driver = engine.namedBuilderDriver ?? 'unknown'
    if (driver === 'docker' && engine.store !== 'containerd') {
      throw new UserError(
        `Builder "${cfg.builder}" uses the docker driver on a daemon with the classic image store, which ` +
          'can neither export a registry cache nor write the OCI layout that is pushed. Enable the ' +
          'containerd image store, or leave "builder" empty so the run creates a docker-container builder.'
      )
    }
    return {
      builder: { mode: 'use', name: cfg.builder, driver },
      path: driver === 'docker' ? 'daemon' : 'load'
    }
  }
  if (cfg.buildkitEndpoint) {
    return {
      builder: { mode: 'create', name: `ml-docker-${runId}`, driver: 'remote' },
      path: 'load'
    }
  }
  if (engine.store === 'containerd' && !cfg.buildkitImage && !cfg.buildkitdConfig) {
    return { builder: { mode: 'use', name: engine.context, driver: 'docker' }, path: 'daemon' }
  }
  return {
    builder: { mode: 'create', name: `ml-docker-${runId}`, driver: 'docker-container' },
    path: 'load'
  }
}

export interface PlanInput {
  cfg: Config
  meta: MetaResult
  ctx: GitContext
  engine: EngineFacts
  runId: string
  reportDir: string
}

/** Everything the run will do, decided before the first side effect. Pure. */
export function planRun({ cfg, meta, ctx, engine, runId, reportDir }: PlanInput): RunPlan {
  const push = decidePush(cfg.push, ctx.source === 'workflow' ? ctx.eventName : '')
  if (push.push) {
    if (meta.images.length === 0) {
      throw new UserError(
        'This run would push, but no image name is set. Set "images" (for example acme/predictor).'
      )
    }
    if (meta.tags.length === 0) {
      throw new UserError(
        'This run would push, but the tag rules produced no tag for this event. Add a rule that matches ' +
          '(for example type=ref,event=branch), or set push: false.'
      )
    }
  }
  const { builder, path: buildPath } = chooseBuilder(cfg, engine, runId)
  const multiPlatform = cfg.platforms.length > 1
  const native = multiPlatform ? nativePlatform(cfg.platforms, engine.platform ?? '') : undefined
  const payload = ctx.payload as { pull_request?: { base?: { ref?: string } } }
  const cache = planCache(cfg.cache, meta.images, push.push, {
    ref: ctx.ref,
    defaultBranch: ctx.defaultBranch ?? ctx.repository?.defaultBranch,
    baseRef: payload.pull_request?.base?.ref
  })
  const localName = `ml-docker-local/${slug(path.basename(cfg.context))}:${runId}`
  const latest = meta.latestTag
  const floating = (tag: string): boolean => latest !== undefined && tag.endsWith(`:${latest}`)
  const versionFirst = (tags: string[]): string[] => {
    const main = meta.version
    const exact = tags.filter((t) => main && t.endsWith(`:${main}`))
    return [...exact, ...tags.filter((t) => !exact.includes(t))]
  }
  const pushTags = push.push ? pushOrder(versionFirst(meta.tags), floating) : []
  const logins = planLogins(cfg, meta.images, push.push)
  const flavor = parseFlavor(cfg.flavor)
  const latestHighest =
    flavor.latest === 'highest' && latest !== undefined && meta.version
      ? { tag: latest, version: meta.version, prefix: flavor.prefix, suffix: flavor.suffix }
      : undefined
  return {
    ...(latestHighest ? { latestHighest } : {}),
    push,
    logins,
    builder,
    path: buildPath,
    cache,
    localTags: [localName],
    pushTags,
    annotations: exporterAnnotations(meta.annotations, multiPlatform),
    layoutDir: path.join(reportDir, 'oci'),
    platform: cfg.platforms.join(','),
    ...(native ? { nativePlatform: native } : {}),
    // The daemon's own BuildKit writes the image (or index) straight into its store. Every other
    // builder writes only the OCI layout, loaded into the daemon from there beside the scan: the
    // docker exporter would stream the same image through buildx a second time (and refuses
    // manifest lists).
    loadFromLayout: buildPath !== 'daemon',
    // buildx cannot export a multi-node build as an OCI layout: one build per platform, joined.
    perPlatformBuilds: multiPlatform && (engine.namedBuilderNodes ?? 1) > 1
  }
}
