import { promises as fs } from 'node:fs'
import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { OciLayout, type ManifestNode } from '../registry/layout.js'
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
  manifest: ManifestNode
  /** The manifest that runs in the daemon: `manifest` itself, or the native platform's. */
  tested: ManifestNode
  /** Every platform's manifest digest (one entry for a single-platform image). */
  platforms: { platform: string; digest: string }[]
  /** Seconds spent loading the native platform from the layout (multi-platform, `loadFromLayout`). */
  loadSeconds?: number
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
  const multi = manifest.children.length > 0 && plan.nativePlatform !== undefined
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
  return {
    digest,
    configDigest,
    imageId,
    layout,
    manifest,
    tested,
    platforms: multi
      ? platformManifests(manifest).map((m) => ({
          platform: m.platform,
          digest: m.node.descriptor.digest
        }))
      : [{ platform: await configPlatform(layout, tested), digest: tested.descriptor.digest }],
    ...(loadSeconds !== undefined ? { loadSeconds } : {}),
    cached: 'cached' in res ? res.cached : cachedSteps(res.output),
    output: res.output,
    seconds
  }
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
