/** The image currently published under a tag, as `docker manifest inspect --verbose` shows it. */

export interface PublishedImage {
  ref: string
  /** Sum of the compressed layer sizes in the registry manifest. */
  compressed: number
  layers: string[]
}

interface Descriptor {
  size?: number
  digest?: string
  platform?: { os?: string; architecture?: string; variant?: string }
}
interface VerboseEntry {
  Ref?: string
  Descriptor?: Descriptor
  SchemaV2Manifest?: { layers?: Descriptor[] }
  OCIManifest?: { layers?: Descriptor[] }
}

/** Node's arch names in Docker's vocabulary. */
export function dockerArch(arch: string = process.arch): string {
  return (
    (
      {
        x64: 'amd64',
        arm64: 'arm64',
        arm: 'arm',
        ia32: '386',
        s390x: 's390x',
        ppc64: 'ppc64le'
      } as Record<string, string>
    )[arch] ?? arch
  )
}

/**
 * Parses the verbose output: one object for a single manifest, an array for an index (the entry
 * for `platform`, e.g. linux/amd64, is used; attestation manifests are skipped).
 */
export function parsePublished(
  ref: string,
  output: string,
  platform: string
): PublishedImage | undefined {
  const parsed = JSON.parse(output) as VerboseEntry | VerboseEntry[]
  const entries = Array.isArray(parsed) ? parsed : [parsed]
  const [os, arch] = platform.split('/')
  const usable = entries.filter(
    (e) => (e.SchemaV2Manifest ?? e.OCIManifest)?.layers && e.Descriptor?.platform?.os !== 'unknown'
  )
  const entry =
    usable.length === 1 && !Array.isArray(parsed)
      ? usable[0]
      : usable.find(
          (e) => e.Descriptor?.platform?.os === os && e.Descriptor?.platform?.architecture === arch
        )
  if (!entry) return undefined
  const layers = (entry.SchemaV2Manifest ?? entry.OCIManifest)?.layers ?? []
  return {
    ref,
    compressed: layers.reduce((n, l) => n + (l.size ?? 0), 0),
    layers: layers.map((l) => l.digest ?? '')
  }
}

/** `docker manifest inspect` talks plain HTTP only when told to; loopback registries are such. */
export function isLoopbackRegistry(ref: string): boolean {
  const host = ref.split('/')[0]
  return ref.includes('/') && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host)
}

/** A registry answer that means "nothing published there yet", not an error. */
export function isNotFound(output: string): boolean {
  return /no such manifest|manifest unknown|not found|name unknown|404/i.test(output)
}
