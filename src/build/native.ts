import { createReadStream } from 'node:fs'
import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { parseReference } from '../reference.js'
import type { Descriptor, ManifestNode, OciLayout } from '../registry/layout.js'

/**
 * One platform of a multi-platform OCI layout, for the two consumers that want exactly one image:
 * the daemon (`docker load`, on builders whose docker exporter refuses an index) and Trivy (which
 * takes `--input <layout>@<digest>` only for a digest listed in the layout's own index.json).
 */

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

/** index.json of a layout that holds only `node`, named `name` when given (what `docker load` tags). */
export function singleImageIndex(node: ManifestNode, name?: string): string {
  const d: Descriptor = { ...node.descriptor }
  if (name) {
    // The containerd image store takes this name as it is: it must be fully qualified
    // (docker.io/...), or the loaded image is stored under a name docker never looks up.
    const r = parseReference(name, 'local image name')
    const tag = r.tag ?? 'latest'
    d.annotations = {
      'io.containerd.image.name': `${r.repository}:${tag}`,
      'org.opencontainers.image.ref.name': tag
    }
  }
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [d] })
}

/** `docker save`'s manifest.json for `node`: the classic image store loads only this format. */
export function dockerManifestJson(node: ManifestNode, name: string): string {
  const file = (d: Descriptor): string => `blobs/${d.digest.replace(':', '/')}`
  const [config, ...layers] = node.blobs
  return JSON.stringify([{ Config: file(config), RepoTags: [name], Layers: layers.map(file) }])
}

export interface TarEntry {
  name: string
  size: number
  /** The entry's bytes: a buffer, or a stream of exactly `size` bytes. */
  data: Buffer | (() => AsyncIterable<Buffer>)
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0'
}

/** One POSIX ustar header for a regular file (names up to 100 bytes: every layout path fits). */
export function tarHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`)
  const h = Buffer.alloc(512)
  h.write(name, 0, 100, 'utf8')
  h.write(octal(0o644, 8), 100)
  h.write(octal(0, 8), 108)
  h.write(octal(0, 8), 116)
  h.write(octal(size, 12), 124)
  h.write(octal(0, 12), 136)
  h.write('        ', 148) // checksum field counts as spaces while summing
  h.write('0', 156)
  h.write('ustar\0', 257)
  h.write('00', 263)
  let sum = 0
  for (const b of h) sum += b
  h.write(octal(sum, 7) + ' ', 148)
  return h
}

/** A tar stream of `entries`, read lazily: a multi-GB layer is never held in memory. */
export async function* tarStream(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    yield tarHeader(e.name, e.size)
    let written = 0
    if (Buffer.isBuffer(e.data)) {
      written = e.data.length
      yield e.data
    } else {
      for await (const chunk of e.data()) {
        written += chunk.length
        yield chunk
      }
    }
    if (written !== e.size) throw new Error(`tar: ${e.name} is ${written} bytes, not ${e.size}`)
    if (e.size % 512) yield Buffer.alloc(512 - (e.size % 512))
  }
  yield Buffer.alloc(1024)
}

/**
 * The tarball `docker load` reads for one platform of the layout: an OCI layout of that manifest
 * alone plus `docker save`'s manifest.json, so both image stores accept it and tag it `name`.
 */
export function nativeImageTar(layout: OciLayout, node: ManifestNode, name: string): TarEntry[] {
  const json = (s: string): Buffer => Buffer.from(s, 'utf8')
  const files: TarEntry[] = [
    { name: 'oci-layout', data: json('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', data: json(singleImageIndex(node, name)) },
    { name: 'manifest.json', data: json(dockerManifestJson(node, name)) }
  ].map((f) => ({ ...f, size: f.data.length }))
  const blobs = new Map<string, Descriptor>([[node.descriptor.digest, node.descriptor]])
  for (const b of node.blobs) blobs.set(b.digest, b)
  for (const b of blobs.values()) {
    files.push({
      name: `blobs/${b.digest.replace(':', '/')}`,
      size: b.size,
      data: () => createReadStream(layout.blobPath(b.digest)) as AsyncIterable<Buffer>
    })
  }
  return files
}

/** Loads one platform of the layout into the daemon as `name`; returns how long it took. */
export async function loadPlatform(
  layout: OciLayout,
  node: ManifestNode,
  name: string,
  docker: Docker
): Promise<number> {
  const started = Date.now()
  const res = await docker.run(['load'], { stdin: tarStream(nativeImageTar(layout, node, name)) })
  if (res.code !== 0) {
    throw new Error(
      `docker load of ${node.descriptor.digest} failed (exit ${res.code}): ${lastLines(res.output, 5)}`
    )
  }
  return (Date.now() - started) / 1000
}

/**
 * A layout directory that shows only `node` (its blobs are the original layout's, linked, not
 * copied), so `trivy image --input <dir>@<digest>` scans exactly that platform's manifest.
 */
export async function platformView(
  layout: OciLayout,
  node: ManifestNode,
  dir: string
): Promise<string> {
  const view = await layout.writeView(dir, node.descriptor)
  return `${view.dir}@${node.descriptor.digest}`
}
