import { RegistryClient, sha256Digest } from '../registry/client.js'
import type { Statement } from './provenance.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json'
export const INTOTO_MEDIA_TYPE = 'application/vnd.in-toto+json'

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

/** `sha256:abc` → `sha256-abc`: the OCI 1.1 referrers tag schema (and cosign's tag prefix). */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-')
}

/** The artifact manifest of one unsigned in-toto statement, whose subject is the image. */
export function attestationManifest(
  subject: Descriptor,
  layer: Buffer,
  predicateType: string
): { bytes: Buffer; empty: Buffer } {
  const empty = Buffer.from('{}')
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: INTOTO_MEDIA_TYPE,
    config: { mediaType: EMPTY_CONFIG, digest: sha256Digest(empty), size: empty.length },
    layers: [
      {
        mediaType: INTOTO_MEDIA_TYPE,
        digest: sha256Digest(layer),
        size: layer.length,
        annotations: { 'in-toto.io/predicate-type': predicateType }
      }
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'in-toto.io/predicate-type': predicateType }
  }
  return { bytes: Buffer.from(JSON.stringify(manifest)), empty }
}

/** The referrers fallback index with `add` in it (replacing an entry of the same digest). */
export function withReferrer(existing: Buffer | undefined, add: Descriptor): Buffer {
  let manifests: Descriptor[] = []
  if (existing) {
    const doc = JSON.parse(existing.toString('utf8')) as { manifests?: Descriptor[] }
    manifests = (doc.manifests ?? []).filter((m) => m.digest !== add.digest)
  }
  manifests.push(add)
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }))
}

/**
 * Attaches an unsigned in-toto statement to `repository@subject.digest` as an OCI 1.1 referrer:
 * an artifact manifest with a `subject`, listed in the `sha256-<hex>` referrers tag (the fallback
 * for registries without the referrers API, which clients such as `cosign tree
 * --experimental-oci11` and `oras discover` read). Returns the artifact's digest.
 */
export async function attachUnsigned(
  client: RegistryClient,
  repository: string,
  subject: Descriptor,
  st: Statement
): Promise<string> {
  const layer = Buffer.from(JSON.stringify(st))
  const { bytes, empty } = attestationManifest(subject, layer, st.predicateType)
  for (const blob of [empty, layer]) {
    const digest = sha256Digest(blob)
    if (!(await client.blobExists(repository, digest)))
      await client.uploadBlob(repository, digest, blob.length, () => new Uint8Array(blob))
  }
  const digest = await client.putManifest(repository, sha256Digest(bytes), OCI_MANIFEST, bytes)
  const tag = referrersTag(subject.digest)
  const existing = await client.getManifest(repository, tag)
  const index = withReferrer(existing?.bytes, {
    mediaType: OCI_MANIFEST,
    digest,
    size: bytes.length,
    artifactType: INTOTO_MEDIA_TYPE,
    annotations: { 'in-toto.io/predicate-type': st.predicateType }
  })
  await client.putManifest(repository, tag, OCI_INDEX, index)
  return digest
}
