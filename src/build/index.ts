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

export interface BuildResult {
  /** The manifest digest: what is scanned and pushed, byte for byte. */
  digest: string
  /** The image config digest (the image id in a classic-store daemon). */
  configDigest: string
  /** The id the daemon gives the tested image (manifest digest on the containerd store). */
  imageId: string
  layout: OciLayout
  /**
   * A layout whose index names only the tested image, readable as soon as the image exists (the
   * build's own index.json appears when buildx exits): what the scan reads.
   */
  view: OciLayout
  manifest: ManifestNode
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
 * What the build wrote, while buildx may still run: the daemon's image (by the local tag), and in
 * the OCI layout the manifest that image is (containerd store: the image id is the manifest
 * digest) or whose config it is (classic store: the id is the config digest), with every blob it
 * references complete. buildx writes the layout's index.json only when the whole build ended, so
 * the manifest is found by content here and checked against index.json in `finished`.
 * `undefined` while any of it is still being written, or while the tag still names an older image.
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
  const imageId = (await docker.imageId(plan.tags[0])) ?? ''
  if (!imageId.startsWith('sha256:')) return undefined
  try {
    let descriptor = await manifestDescriptor(layout, imageId)
    if (!descriptor) {
      for (const name of names) {
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
  const finished = child.then(async (res): Promise<BuildCompletion> => {
    if (res.code !== 0) throw failed(res)
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
  })
  // Whoever awaits it reports a failure; an unawaited rejection must not end the process first.
  finished.catch(() => undefined)
  return { ...id, view, seconds: (ready - started) / 1000, finished }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
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
