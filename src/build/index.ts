import { promises as fs } from 'node:fs'
import path from 'node:path'
import { lastLines, type Docker } from '../docker.js'
import { BufferedLogger, SwitchableLogger } from '../log-buffer.js'
import {
  manifestsBottomUp,
  OciLayout,
  type Descriptor,
  type ManifestNode
} from '../registry/layout.js'
import { buildArgv, cachedSteps, secretEnvName, type BuildPlan } from './args.js'
import { loadPlatform } from './native.js'
import { indexAnnotations, joinLayouts, nodePlans } from './nodes.js'
import { formatPlatform, manifestFor, parsePlatform, platformManifests } from './platforms.js'

export interface BuildResult {
  /** The manifest (or, multi-platform, index) digest: what is scanned and pushed, byte for byte. */
  digest: string
  /** The smoke-tested image's config digest (the image id in a classic-store daemon). */
  configDigest: string
  /**
   * The id the daemon gives the tested image: the manifest digest on the containerd store (the
   * index digest when the index itself was stored), the config digest on the classic store.
   */
  imageId: string
  layout: OciLayout
  /**
   * A layout whose index names only the tested image, readable as soon as the image exists (the
   * build's own index.json appears when buildx exits): what the scan reads.
   */
  view: OciLayout
  manifest: ManifestNode
  /** The manifest that runs in the daemon: `manifest` itself, or the native platform's. */
  tested: ManifestNode
  /** Every platform's manifest digest (one entry for a single-platform image). */
  platforms: { platform: string; digest: string }[]
  /** Seconds spent loading the tested image from the layout (`loadFromLayout`), once `loaded` resolved. */
  loadSeconds?: number
  /**
   * The daemon's id of the tested image, once it is there: at once when the build wrote it into the
   * daemon; with `loadFromLayout` after `docker load` from the layout, which runs beside the scan.
   * `imageId` and `loadSeconds` are set when it resolves; it rejects with a BuildError.
   */
  loaded: Promise<string>
  /** Seconds until the image was in the daemon and in the OCI layout: what the gates wait for. */
  seconds: number
  /**
   * The rest of the build: BuildKit exports the registry cache only after the image exporters
   * finished, so the gates start while it runs. Resolves once buildx exited and its own record
   * names the manifest the gates tested; rejects with a BuildError otherwise. Nothing may be
   * pushed before it resolves.
   */
  finished: Promise<BuildCompletion>
}

export interface BuildCompletion {
  /** Names of the steps BuildKit reported as CACHED. */
  cached: string[]
  output: string
  /** The whole `buildx build`, start to exit. */
  seconds: number
  /** Of those, the time after the image existed (the cache export), which ran beside the gates. */
  afterReady: number
  /** The build's output after the image existed, kept out of the gates' logs; replay it once they ended. */
  tail: BufferedLogger
}

export class BuildError extends Error {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(message)
    this.name = 'BuildError'
  }
}

function secretEnv(plan: BuildPlan, secrets: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const id of plan.secretIds) env[secretEnvName(id)] = secrets[id]
  return env
}

/** Where the build puts the view of the tested image beside its OCI layout. */
export function testedLayoutDir(layoutDir: string): string {
  return `${layoutDir}-tested`
}

type Identity = Pick<BuildResult, 'digest' | 'configDigest' | 'imageId' | 'layout' | 'manifest'>

/**
 * What the build wrote, while buildx may still run: in the OCI layout, the image's manifest with
 * every blob it references complete, and (unless the image is loaded from the layout afterwards)
 * the daemon's image by the local tag being that manifest (containerd store: the image id is the
 * manifest digest) or its config (classic store: the id is the config digest). buildx writes the
 * layout's index.json only when the whole build ended, so the manifest is found by content here
 * and checked against index.json in `finished`. `undefined` while any of it is still being
 * written, or while the tag still names an older image.
 */
export async function identify(plan: BuildPlan, docker: Docker): Promise<Identity | undefined> {
  const layout = new OciLayout(plan.layoutDir)
  const blobDir = path.join(plan.layoutDir, 'blobs', 'sha256')
  let names: string[]
  try {
    names = await fs.readdir(blobDir)
  } catch {
    return undefined
  }
  if (!names.length) return undefined
  try {
    let descriptor: Descriptor | undefined
    let imageId = ''
    if (plan.loadFromLayout) {
      // Nothing in the daemon yet: the layout holds this build's one manifest.
      const found: Descriptor[] = []
      for (const name of names) {
        const d = await manifestDescriptor(layout, `sha256:${name}`)
        if (d) found.push(d)
      }
      if (found.length !== 1) return undefined
      descriptor = found[0]
    } else {
      imageId = (await docker.imageId(plan.tags[0])) ?? ''
      if (!imageId.startsWith('sha256:')) return undefined
      descriptor = await manifestDescriptor(layout, imageId)
      for (const name of descriptor ? [] : names) {
        const d = await manifestDescriptor(layout, `sha256:${name}`)
        if (d && (await layout.configDigest(await layout.tree(d), plan.platform)) === imageId) {
          descriptor = d
          break
        }
      }
    }
    if (!descriptor) return undefined
    const manifest = await layout.tree(descriptor)
    for (const node of manifestsBottomUp(manifest)) {
      for (const blob of node.blobs) {
        if ((await fs.stat(layout.blobPath(blob.digest))).size !== blob.size) return undefined
      }
    }
    const configDigest = (await layout.configDigest(manifest, plan.platform)) ?? ''
    return { digest: descriptor.digest, configDigest, imageId, layout, manifest }
  } catch {
    return undefined
  }
}

/** The descriptor of blob `digest` if it is a complete image manifest or index, else undefined. */
async function manifestDescriptor(
  layout: OciLayout,
  digest: string
): Promise<Descriptor | undefined> {
  const file = layout.blobPath(digest)
  try {
    // Manifests are small; layers are not worth reading.
    if ((await fs.stat(file)).size > MAX_MANIFEST_BYTES) return undefined
    const bytes = await layout.readBlob(digest)
    const m = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }
    if (typeof m.mediaType !== 'string' || !/manifest|index/.test(m.mediaType)) return undefined
    return { mediaType: m.mediaType, digest, size: bytes.length }
  } catch {
    return undefined
  }
}

/** The distribution spec's limit registries must accept for a manifest. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

export interface BuildOptions {
  /** How often to look for the finished image while buildx still runs (ms). */
  pollMs?: number
}

/**
 * Starts the one build and returns as soon as the image exists in the daemon (smoke) and in the
 * OCI layout (scan, push), identified from BuildKit's records; the registry cache export goes on
 * in `finished`. A build that exits first is identified once, at exit.
 */
export async function build(
  plan: BuildPlan,
  secrets: Record<string, string>,
  docker: Docker,
  opts: BuildOptions = {}
): Promise<BuildResult> {
  for (const dir of [plan.layoutDir, testedLayoutDir(plan.layoutDir)])
    await fs.rm(dir, { recursive: true, force: true })
  // Several platforms: the native one reaches the daemon from the whole result, so the gates wait
  // for the build to end.
  if (plan.nativePlatform !== undefined) return buildIndex(plan, secrets, docker)
  const started = Date.now()
  const sink = new SwitchableLogger(docker.log)
  const tail = new BufferedLogger(docker.log)
  const runner = docker.withLog(sink)
  let exited = false
  const child = runner
    .run(buildArgv(plan), { stream: true, env: secretEnv(plan, secrets) })
    .finally(() => (exited = true))
  const failed = (res: { code: number; output: string }): BuildError =>
    new BuildError(`The build failed (exit ${res.code}):\n${lastLines(res.output, 15)}`, res.output)

  let identity: Identity | undefined
  const pollMs = opts.pollMs ?? 250
  while (!exited) {
    await Promise.race([child.catch(() => undefined), sleep(pollMs)])
    if (exited) break
    identity = await identify(plan, docker)
    if (identity) break
  }
  const ready = Date.now()
  if (!identity) {
    const res = await child
    if (res.code !== 0) throw failed(res)
    identity = await identify(plan, docker)
    if (!identity && plan.loadFromLayout) {
      throw new BuildError(
        `The OCI layout ${plan.layoutDir} does not hold exactly one complete image: refusing to go on.`,
        res.output
      )
    }
    if (!identity) {
      const imageId = (await docker.imageId(plan.tags[0])) ?? 'missing'
      throw new BuildError(
        `The daemon's ${plan.tags[0]} is ${imageId}, which is not the manifest (or its config) the ` +
          `build wrote to ${plan.layoutDir}: refusing to test one image and push another.`,
        res.output
      )
    }
  } else sink.target = tail

  const id = identity
  const view = await id.layout.writeView(testedLayoutDir(plan.layoutDir), id.manifest.descriptor)
  const result = {} as BuildResult
  // From the layout into the daemon while the scan already reads the layout: the image was never
  // streamed through buildx a second time.
  const loaded = plan.loadFromLayout
    ? loadPlatform(id.layout, id.manifest, plan.tags[0], docker).then(
        async (seconds) => {
          const imageId = (await docker.imageId(plan.tags[0])) ?? ''
          if (imageId !== id.digest && imageId !== id.configDigest) {
            throw new BuildError(
              `docker load gave ${plan.tags[0]} the id ${imageId || 'none'}, which is neither the ` +
                `manifest ${id.digest} nor its config ${id.configDigest}: refusing to test it.`,
              ''
            )
          }
          Object.assign(result, { imageId, loadSeconds: seconds })
          return imageId
        },
        (e: unknown) => {
          throw new BuildError((e as Error).message, '')
        }
      )
    : Promise.resolve(id.imageId)
  loaded.catch(() => undefined)
  const finished = Promise.all([child, loaded.catch(() => undefined)]).then(
    async ([res]): Promise<BuildCompletion> => {
      if (res.code !== 0) throw failed(res)
      await loaded
      // BuildKit's own records of what it exported must name the manifest the gates tested.
      const recorded = await readRecordedDigest(plan.metadataFile)
      const indexed = await id.layout.root().then(
        (d) => d.digest,
        (e: unknown) => `nothing (${(e as Error).message})`
      )
      for (const [what, digest] of [
        ['BuildKit reported image', recorded],
        ["The OCI layout's index.json names", indexed]
      ] as const) {
        if (digest && digest !== id.digest) {
          throw new BuildError(
            `${what} ${digest}, but the image tested is ${id.digest}: refusing to push it.`,
            res.output
          )
        }
      }
      const end = Date.now()
      return {
        cached: cachedSteps(res.output),
        output: res.output,
        seconds: (end - started) / 1000,
        afterReady: (end - ready) / 1000,
        tail
      }
    }
  )
  // Whoever awaits it reports a failure; an unawaited rejection must not end the process first.
  finished.catch(() => undefined)
  return Object.assign(result, {
    ...id,
    imageId: result.imageId ?? id.imageId,
    view,
    tested: id.manifest,
    platforms: [{ platform: await configPlatform(id.layout, id.manifest), digest: id.digest }],
    seconds: (ready - started) / 1000,
    loaded,
    finished
  })
}

/**
 * A multi-platform build: one index in one build (or, on a builder with one node per platform,
 * one build per node joined into one index), then the native platform's manifest in the daemon,
 * each identified from BuildKit's records.
 */
async function buildIndex(
  plan: BuildPlan,
  secrets: Record<string, string>,
  docker: Docker
): Promise<BuildResult> {
  const started = Date.now()
  const res = plan.perPlatformBuilds
    ? await buildPerPlatform(plan, secrets, docker)
    : await docker.run(buildArgv(plan), { stream: true, env: secretEnv(plan, secrets) })
  const seconds = (Date.now() - started) / 1000
  if (res.code !== 0) {
    throw new BuildError(
      `The build failed (exit ${res.code}):\n${lastLines(res.output, 15)}`,
      res.output
    )
  }
  const layout = new OciLayout(plan.layoutDir)
  const manifest = await layout.tree(await layout.root())
  const multi = manifest.children.length > 0
  const tested = multi ? manifestFor(manifest, plan.nativePlatform!) : manifest
  let loadSeconds: number | undefined
  if (multi && plan.loadFromLayout) {
    loadSeconds = await loadPlatform(layout, tested, plan.tags[0], docker)
  }
  const configDigest = multi
    ? (tested.blobs[0]?.digest ?? '')
    : ((await layout.configDigest(manifest, plan.platform)) ?? '')
  const imageId = (await docker.imageId(plan.tags[0])) ?? ''
  const digest = manifest.descriptor.digest
  // BuildKit's own record of what it exported must name the same manifest as the layout (per
  // platform when the index was joined from per-node builds, in buildPerPlatform).
  const recorded = plan.perPlatformBuilds ? undefined : await readRecordedDigest(plan.metadataFile)
  if (recorded && recorded !== digest) {
    throw new BuildError(
      `BuildKit reported image ${recorded} but wrote ${digest} to the OCI layout: refusing to continue.`,
      res.output
    )
  }
  // The containerd store names an image by its manifest digest (or the index's, when it stored
  // the index), the classic store by its config.
  const known = [digest, tested.descriptor.digest, configDigest]
  if (!known.includes(imageId)) {
    throw new BuildError(
      `The daemon's ${plan.tags[0]} is ${imageId || 'missing'}, but the build wrote manifest ` +
        `${tested.descriptor.digest} (config ${configDigest}): refusing to test one image and push another.`,
      res.output
    )
  }
  const view = await layout.writeView(testedLayoutDir(plan.layoutDir), manifest.descriptor)
  const finished: Promise<BuildCompletion> = Promise.resolve({
    cached: 'cached' in res ? res.cached : cachedSteps(res.output),
    output: res.output,
    seconds,
    afterReady: 0,
    tail: new BufferedLogger(docker.log)
  })
  return {
    digest,
    configDigest,
    imageId,
    layout,
    view,
    manifest,
    tested,
    platforms: multi
      ? platformManifests(manifest).map((m) => ({
          platform: m.platform,
          digest: m.node.descriptor.digest
        }))
      : [{ platform: await configPlatform(layout, tested), digest: tested.descriptor.digest }],
    ...(loadSeconds !== undefined ? { loadSeconds } : {}),
    seconds,
    loaded: Promise.resolve(imageId),
    finished
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * One build per platform on a multi-node builder, in parallel (each node builds its own platform),
 * then one layout holding an index of the results. Each part is checked against BuildKit's record.
 */
async function buildPerPlatform(
  plan: BuildPlan,
  secrets: Record<string, string>,
  docker: Docker
): Promise<{ code: number; output: string; cached: string[] }> {
  const parts = nodePlans(plan, plan.platform.split(','))
  const results = await Promise.all(
    parts.map(async (p) => {
      await fs.rm(p.layoutDir, { recursive: true, force: true })
      return docker.run(buildArgv(p), { env: secretEnv(plan, secrets) })
    })
  )
  let output = ''
  const cached: string[] = []
  for (const [i, r] of results.entries()) {
    output += `${parts[i].platform}:\n${r.output}\n`
    cached.push(...cachedSteps(r.output))
    docker.log.info(`${parts[i].platform}: exit ${r.code}\n${lastLines(r.output, 40)}`)
  }
  const failed = results.findIndex((r) => r.code !== 0)
  if (failed >= 0) return { code: results[failed].code, output, cached }
  try {
    for (const p of parts) {
      const root = await new OciLayout(p.layoutDir).root()
      const recorded = await readRecordedDigest(p.metadataFile)
      if (recorded && recorded !== root.digest) {
        throw new BuildError(
          `BuildKit reported image ${recorded} for ${p.platform} but wrote ${root.digest}: refusing to continue.`,
          output
        )
      }
    }
    await joinLayouts(
      parts.map((p) => ({ platform: p.platform, dir: p.layoutDir })),
      plan.layoutDir,
      indexAnnotations(plan.annotations)
    )
  } finally {
    for (const p of parts) await fs.rm(p.layoutDir, { recursive: true, force: true })
  }
  return { code: 0, output, cached }
}

/** `os/arch[/variant]` from a single-platform manifest's image config. */
async function configPlatform(layout: OciLayout, node: ManifestNode): Promise<string> {
  const config = node.blobs[0]
  if (!config) return ''
  const c = JSON.parse((await layout.readBlob(config.digest)).toString('utf8')) as {
    os?: string
    architecture?: string
    variant?: string
  }
  const p = parsePlatform([c.os, c.architecture, c.variant].filter(Boolean).join('/'))
  return p ? formatPlatform(p) : ''
}

/** `containerimage.digest` from buildx's `--metadata-file`, when it wrote one. */
async function readRecordedDigest(file: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>
    const d = meta['containerimage.digest']
    return typeof d === 'string' ? d : undefined
  } catch {
    return undefined
  }
}
