import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { sha256Digest } from './client.js'

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
}

interface Manifest {
  mediaType?: string
  config?: Descriptor
  layers?: Descriptor[]
  manifests?: Descriptor[]
}

/** One manifest (or index) to push, with the blobs it needs and the manifests below it. */
export interface ManifestNode {
  descriptor: Descriptor
  bytes: Buffer
  blobs: Descriptor[]
  children: ManifestNode[]
}

export function isIndex(mediaType: string): boolean {
  return mediaType.endsWith('.index.v1+json') || mediaType.endsWith('.manifest.list.v2+json')
}

/** An OCI image layout directory as BuildKit's `type=oci,tar=false` exporter writes it. */
export class OciLayout {
  constructor(readonly dir: string) {}

  blobPath(digest: string): string {
    const [algo, hex] = digest.split(':')
    return path.join(this.dir, 'blobs', algo, hex)
  }

  async readBlob(digest: string): Promise<Buffer> {
    const bytes = await fs.readFile(this.blobPath(digest))
    if (sha256Digest(bytes) !== digest)
      throw new Error(`OCI layout ${this.dir}: blob ${digest} is corrupt`)
    return bytes
  }

  openBlob(digest: string): ReadableStream {
    return Readable.toWeb(createReadStream(this.blobPath(digest))) as ReadableStream
  }

  /**
   * A second layout at `dir` whose index.json names exactly `descriptor`, sharing this layout's
   * blobs (a symlink): what a reader such as Trivy opens while the build is still running (buildx
   * writes this layout's own index.json only when the whole build ended).
   */
  async writeView(dir: string, descriptor: Descriptor): Promise<OciLayout> {
    await fs.rm(dir, { recursive: true, force: true })
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
    await fs.writeFile(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [descriptor]
      })
    )
    await fs.symlink(path.resolve(this.dir, 'blobs'), path.join(dir, 'blobs'), 'dir')
    return new OciLayout(dir)
  }

  /** The top-level descriptor (the exporter writes exactly one image), without its naming annotations. */
  async root(): Promise<Descriptor> {
    const index = JSON.parse(
      await fs.readFile(path.join(this.dir, 'index.json'), 'utf8')
    ) as Manifest
    // The exporter lists the image once per name it was given; all entries share one digest.
    const top = [...new Map((index.manifests ?? []).map((d) => [d.digest, d])).values()]
    if (top.length !== 1) {
      throw new Error(
        `OCI layout ${this.dir}: expected one image in index.json, found ${top.length}`
      )
    }
    const descriptor: Descriptor = { ...top[0] }
    delete descriptor.annotations
    return descriptor
  }

  /** The manifest tree below `descriptor`, every blob it references included. */
  async tree(descriptor: Descriptor): Promise<ManifestNode> {
    const bytes = await this.readBlob(descriptor.digest)
    const m = JSON.parse(bytes.toString('utf8')) as Manifest
    if (isIndex(descriptor.mediaType)) {
      const children = await Promise.all((m.manifests ?? []).map((d) => this.tree(d)))
      return { descriptor, bytes, blobs: [], children }
    }
    const blobs = [...(m.config ? [m.config] : []), ...(m.layers ?? [])]
    return { descriptor, bytes, blobs, children: [] }
  }

  /** The image config digest of a single-platform manifest (or of `platform` in an index). */
  async configDigest(node: ManifestNode, platform?: string): Promise<string | undefined> {
    if (node.children.length === 0) return node.blobs[0]?.digest
    const wanted = platform ?? ''
    const child =
      node.children.find((c) => platformString(c.descriptor) === wanted) ??
      node.children.find((c) => c.descriptor.platform && c.descriptor.platform.os !== 'unknown')
    return child ? this.configDigest(child) : undefined
  }
}

export function platformString(d: Descriptor): string {
  const p = d.platform
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : ''
}

/** Every manifest below and including `node`, children before parents (the push order). */
export function manifestsBottomUp(node: ManifestNode): ManifestNode[] {
  return [...node.children.flatMap(manifestsBottomUp), node]
}

/** The layer blobs of a single-platform manifest (its first blob is the config). */
export function layerBlobs(node: ManifestNode): Descriptor[] {
  return node.children.length ? layerBlobs(node.children[0]) : node.blobs.slice(1)
}

/** Total bytes of the distinct blobs of a tree (the compressed image size). */
export function compressedSize(node: ManifestNode): number {
  const seen = new Map<string, number>()
  for (const m of manifestsBottomUp(node)) for (const b of m.blobs) seen.set(b.digest, b.size)
  return [...seen.values()].reduce((a, b) => a + b, 0)
}
