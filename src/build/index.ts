import { promises as fs } from 'node:fs'
import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { OciLayout, type ManifestNode } from '../registry/layout.js'
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
  /** Names of the steps BuildKit reported as CACHED. */
  cached: string[]
  output: string
  seconds: number
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

/**
 * Runs the one build, then establishes the identity of what was built from BuildKit's own records
 * (the OCI layout's index and manifest) and checks that the daemon holds exactly that image.
 */
export async function build(
  plan: BuildPlan,
  secrets: Record<string, string>,
  docker: Docker
): Promise<BuildResult> {
  await fs.rm(plan.layoutDir, { recursive: true, force: true })
  const started = Date.now()
  const res = await docker.run(buildArgv(plan), { stream: true, env: secretEnv(plan, secrets) })
  const seconds = (Date.now() - started) / 1000
  if (res.code !== 0) {
    throw new BuildError(
      `The build failed (exit ${res.code}):\n${lastLines(res.output, 15)}`,
      res.output
    )
  }
  const layout = new OciLayout(plan.layoutDir)
  const manifest = await layout.tree(await layout.root())
  const configDigest = (await layout.configDigest(manifest, plan.platform)) ?? ''
  const imageId = (await docker.imageId(plan.tags[0])) ?? ''
  const digest = manifest.descriptor.digest
  // BuildKit's own record of what it exported must name the same manifest as the layout.
  const recorded = await readRecordedDigest(plan.metadataFile)
  if (recorded && recorded !== digest) {
    throw new BuildError(
      `BuildKit reported image ${recorded} but wrote ${digest} to the OCI layout: refusing to continue.`,
      res.output
    )
  }
  // The containerd store names an image by its manifest digest, the classic store by its config.
  if (imageId !== digest && imageId !== configDigest) {
    throw new BuildError(
      `The daemon's ${plan.tags[0]} is ${imageId || 'missing'}, but the build wrote manifest ${digest} ` +
        `(config ${configDigest}): refusing to test one image and push another.`,
      res.output
    )
  }
  return {
    digest,
    configDigest,
    imageId,
    layout,
    manifest,
    cached: cachedSteps(res.output),
    output: res.output,
    seconds
  }
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
