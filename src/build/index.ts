import { promises as fs } from 'node:fs'
import { Docker, lastLines } from '../docker.js'
import { BufferedLogger, SwitchableLogger } from '../log-buffer.js'
import { manifestsBottomUp, OciLayout, type ManifestNode } from '../registry/layout.js'
import { buildArgv, cachedSteps, secretEnvName, type BuildPlan } from './args.js'

export interface BuildResult {
  /** The manifest digest: what is scanned and pushed, byte for byte. */
  digest: string
  /** The image config digest (the image id in a classic-store daemon). */
  configDigest: string
  /** The id the daemon gives the tested image (manifest digest on the containerd store). */
  imageId: string
  layout: OciLayout
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

type Identity = Pick<BuildResult, 'digest' | 'configDigest' | 'imageId' | 'layout' | 'manifest'>

/**
 * What the build wrote, from BuildKit's own records: the OCI layout's index and manifest, every
 * blob complete, and the daemon's image being that manifest. `undefined` while any of it is still
 * being written (or names an older image, as a tag of a previous run would).
 */
export async function identify(plan: BuildPlan, docker: Docker): Promise<Identity | undefined> {
  const layout = new OciLayout(plan.layoutDir)
  let manifest: ManifestNode
  try {
    manifest = await layout.tree(await layout.root())
    for (const node of manifestsBottomUp(manifest)) {
      for (const blob of node.blobs) {
        if ((await fs.stat(layout.blobPath(blob.digest))).size !== blob.size) return undefined
      }
    }
  } catch {
    return undefined
  }
  const configDigest = (await layout.configDigest(manifest, plan.platform)) ?? ''
  const digest = manifest.descriptor.digest
  const imageId = (await docker.imageId(plan.tags[0])) ?? ''
  // The containerd store names an image by its manifest digest, the classic store by its config.
  if (imageId !== digest && imageId !== configDigest) return undefined
  return { digest, configDigest, imageId, layout, manifest }
}

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
  await fs.rm(plan.layoutDir, { recursive: true, force: true })
  const started = Date.now()
  const sink = new SwitchableLogger(docker.log)
  const tail = new BufferedLogger(docker.log)
  const runner = new Docker(sink, docker.env)
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
  const finished = child.then(async (res): Promise<BuildCompletion> => {
    if (res.code !== 0) throw failed(res)
    // BuildKit's own record of what it exported must name the manifest the gates tested.
    const recorded = await readRecordedDigest(plan.metadataFile)
    if (recorded && recorded !== id.digest) {
      throw new BuildError(
        `BuildKit reported image ${recorded} but wrote ${id.digest} to the OCI layout: refusing to continue.`,
        res.output
      )
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
  return { ...id, seconds: (ready - started) / 1000, finished }
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
