import { promises as fs } from 'node:fs'
import path from 'node:path'
import { sha256Digest } from '../registry/client.js'
import { OciLayout, type Descriptor } from '../registry/layout.js'
import type { BuildPlan } from './args.js'
import { formatPlatform, parsePlatform } from './platforms.js'

/**
 * A builder with one node per platform (`docker buildx create --append`): buildx cannot export a
 * multi-node build as an OCI layout (it merges the nodes' results only by pushing them), so each
 * platform is built by its own `buildx build --platform <p>`, which buildx sends to the node that
 * builds that platform natively, in parallel; the single-platform layouts are then joined into
 * one index here. The index is ours, its manifests are BuildKit's, byte for byte.
 */

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

function slug(platform: string): string {
  return platform.replace(/[^A-Za-z0-9]+/g, '-')
}

/** The per-platform build plans: own layout and metadata file; the cache is written once. */
export function nodePlans(plan: BuildPlan, platforms: string[]): BuildPlan[] {
  const annotations = plan.annotations.filter((a) => !a.startsWith('annotation-index'))
  return platforms.map((p, i) => ({
    ...plan,
    platform: p,
    nativePlatform: undefined,
    loadFromLayout: true,
    annotations,
    // Two builds writing one cache reference would race; the first platform's is kept.
    cacheTo: i === 0 ? plan.cacheTo : [],
    layoutDir: `${plan.layoutDir}-${slug(p)}`,
    metadataFile: plan.metadataFile.replace(/(\.json)?$/, `-${slug(p)}$1`)
  }))
}

/** `annotation-index.key=value` options -> the index's own annotations. */
export function indexAnnotations(options: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const o of options) {
    const m = /^annotation-index\.([^=]+)=(.*)$/s.exec(o)
    if (m) out[m[1]] = m[2]
  }
  return out
}

/** The index over single-platform manifests, in the given order. Pure. */
export function indexOf(
  manifests: { descriptor: Descriptor; platform: string }[],
  annotations: Record<string, string> = {}
): Buffer {
  const index: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: manifests.map((m) => {
      const p = parsePlatform(m.platform)
      const d: Descriptor = {
        mediaType: m.descriptor.mediaType,
        digest: m.descriptor.digest,
        size: m.descriptor.size
      }
      if (p)
        d.platform = {
          os: p.os,
          architecture: p.architecture,
          ...(p.variant ? { variant: p.variant } : {})
        }
      return d
    })
  }
  if (Object.keys(annotations).length) index.annotations = annotations
  return Buffer.from(JSON.stringify(index), 'utf8')
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    if (code === 'EXDEV' || code === 'EPERM') await fs.copyFile(from, to)
    else throw e
  }
}

/**
 * Joins single-platform layouts into one layout holding an index of their manifests (blobs
 * hard-linked, so nothing is copied on one file system). Returns the index descriptor.
 */
export async function joinLayouts(
  parts: { platform: string; dir: string }[],
  dest: string,
  annotations: Record<string, string> = {}
): Promise<Descriptor> {
  await fs.rm(dest, { recursive: true, force: true })
  const blobsDir = path.join(dest, 'blobs', 'sha256')
  await fs.mkdir(blobsDir, { recursive: true })
  const manifests: { descriptor: Descriptor; platform: string }[] = []
  for (const part of parts) {
    const layout = new OciLayout(part.dir)
    const root = await layout.root()
    const node = await layout.tree(root)
    if (node.children.length) {
      throw new Error(`${part.platform}: expected a single-platform image in ${part.dir}`)
    }
    for (const d of [root, ...node.blobs]) {
      await linkOrCopy(layout.blobPath(d.digest), path.join(blobsDir, d.digest.slice(7)))
    }
    const p = parsePlatform(part.platform)
    manifests.push({ descriptor: root, platform: p ? formatPlatform(p) : part.platform })
  }
  const bytes = indexOf(manifests, annotations)
  const digest = sha256Digest(bytes)
  await fs.writeFile(path.join(blobsDir, digest.slice(7)), bytes)
  const descriptor: Descriptor = { mediaType: OCI_INDEX, digest, size: bytes.length }
  await fs.writeFile(path.join(dest, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  await fs.writeFile(
    path.join(dest, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [descriptor] })
  )
  return descriptor
}
