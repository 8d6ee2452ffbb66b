import { UserError } from '../errors.js'
import { platformString, type ManifestNode } from '../registry/layout.js'

/** `os/arch[/variant]`, as BuildKit and the OCI image index name platforms. */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** `linux/arm64` -> { os, architecture }; undefined when it is not `os/arch[/variant]`. */
export function parsePlatform(s: string): Platform | undefined {
  const m = /^([a-z0-9]+)\/([a-z0-9_]+)(?:\/([a-z0-9]+))?$/.exec(s.trim().toLowerCase())
  if (!m) return undefined
  return { os: m[1], architecture: m[2], ...(m[3] ? { variant: m[3] } : {}) }
}

/** The variant a platform has when none is written (containerd's normalisation). */
function defaultVariant(p: Platform): string {
  if (p.architecture === 'arm64') return 'v8'
  if (p.architecture === 'arm') return 'v7'
  return ''
}

/** One spelling per platform: `linux/arm64/v8` is `linux/arm64`, `linux/arm` is `linux/arm/v7`. */
export function formatPlatform(p: Platform): string {
  const v = p.variant ?? defaultVariant(p)
  const shown = p.architecture === 'arm64' && v === 'v8' ? '' : v
  return [p.os, p.architecture, shown].filter(Boolean).join('/')
}

export function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(a) === formatPlatform(b)
}

/**
 * The `platforms` input: a list of `os/arch[/variant]`, deduplicated in the given order. A value
 * that is not a platform is the user's to fix (and is not echoed: it may be anything).
 */
export function parsePlatforms(list: string[]): string[] {
  const out: string[] = []
  for (const [i, s] of list.entries()) {
    const p = parsePlatform(s)
    if (!p) {
      throw new UserError(
        `Input "platforms": entry ${i + 1} is not a platform. Write os/arch[/variant] entries, for example linux/amd64,linux/arm64.`
      )
    }
    const f = formatPlatform(p)
    if (!out.includes(f)) out.push(f)
  }
  return out
}

/** `uname -m` (what `docker info` reports as Architecture) -> the OCI architecture and variant. */
const UNAME: Record<string, Omit<Platform, 'os'>> = {
  x86_64: { architecture: 'amd64' },
  amd64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  arm64: { architecture: 'arm64' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  ppc64le: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' }
}

/** The daemon's platform from `docker info` (OSType, Architecture). */
export function daemonPlatform(osType: string, arch: string): string {
  const a = UNAME[arch.toLowerCase()] ?? { architecture: arch.toLowerCase() }
  return formatPlatform({ os: (osType || 'linux').toLowerCase(), ...a })
}

/**
 * The platform that is smoke-tested: the daemon's own, which must be among those built (the
 * image that runs here is the one whose digest the outputs call tested).
 */
export function nativePlatform(platforms: string[], daemon: string): string {
  const d = parsePlatform(daemon)
  const hit = d && platforms.find((p) => samePlatform(parsePlatform(p)!, d))
  if (!hit) {
    throw new UserError(
      `Input "platforms" (${platforms.join(', ')}) does not include this machine's platform ${daemon}, ` +
        'so no built image could be smoke-tested here. Add it to "platforms", or run on a machine of one of the listed platforms.'
    )
  }
  return hit
}

export interface PlatformManifest {
  platform: string
  node: ManifestNode
}

/**
 * The image manifests of a built index, one per platform, in index order. BuildKit's attestation
 * manifests (`unknown/unknown`) are not platforms and are left out.
 */
export function platformManifests(root: ManifestNode): PlatformManifest[] {
  if (root.children.length === 0) return []
  return root.children
    .filter((c) => c.descriptor.platform && c.descriptor.platform.os !== 'unknown')
    .map((node) => {
      const p = parsePlatform(platformString(node.descriptor))
      return { platform: p ? formatPlatform(p) : platformString(node.descriptor), node }
    })
}

/** The manifest of `platform` in a built index; throws when the build did not produce it. */
export function manifestFor(root: ManifestNode, platform: string): ManifestNode {
  const want = parsePlatform(platform)
  const hit = platformManifests(root).find((m) => {
    const p = parsePlatform(m.platform)
    return p !== undefined && want !== undefined && samePlatform(p, want)
  })
  if (!hit) {
    const have = platformManifests(root).map((m) => m.platform)
    throw new Error(
      `The built index has no ${platform} manifest (it has ${have.join(', ') || 'none'}).`
    )
  }
  return hit.node
}

/** The `platform-digests` output: `os/arch=sha256:...`, one line per platform, in index order. */
export function platformDigestLines(root: ManifestNode): string {
  return platformManifests(root)
    .map((m) => `${m.platform}=${m.node.descriptor.digest}`)
    .join('\n')
}
