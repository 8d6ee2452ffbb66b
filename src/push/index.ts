import type { Logger } from '../log.js'
import { asUserError, RegistryClient, type Credentials } from '../registry/client.js'
import {
  compressedSize,
  manifestsBottomUp,
  type Descriptor,
  type ManifestNode,
  type OciLayout
} from '../registry/layout.js'
import { parseReference, repositoryOf } from '../reference.js'

export interface PushResult {
  /** Every tag reference that now names the tested digest, in the order they moved. */
  pushed: string[]
  /** Manifest digest per image (the same bytes everywhere). */
  digests: Record<string, string>
  digest: string
  /** Blob bytes sent (uploads), and blobs the registry already had or mounted. */
  uploadedBytes: number
  reusedBlobs: number
  seconds: number
}

/** A push that failed part-way: which tags moved to the tested digest, which did not. */
export class PushError extends Error {
  constructor(
    message: string,
    readonly moved: string[],
    readonly notMoved: string[]
  ) {
    super(message)
    this.name = 'PushError'
  }
}

/** `registry/path/name:tag` -> where it lives. Docker Hub names get their implicit parts. */
export function splitTag(ref: string): {
  image: string
  registry: string
  repository: string
  tag: string
} {
  const r = parseReference(ref, 'tag')
  return {
    image: repositoryOf(ref),
    registry: r.domain,
    repository: r.repository.slice(r.domain.length + 1),
    tag: r.tag ?? 'latest'
  }
}

export interface PushOptions {
  log: Logger
  /** Credentials per registry host ('docker.io' for Docker Hub). */
  credentials: (registry: string) => Credentials | undefined
  /** Where each registry's credentials came from (an input, a `registry-auth` line), for messages. */
  credentialSource?: (registry: string) => string | undefined
  /** Absolute deadline (ms since epoch) for the whole push. */
  deadline?: number
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number }
}

/**
 * Pushes the tested bytes (an OCI layout BuildKit wrote in the build) by digest to every image,
 * then moves the tags in the given order (version tags before floating ones). Nothing is tagged
 * until every image holds the complete manifest, so a failure leaves tags where they were.
 */
export async function pushLayout(
  layout: OciLayout,
  root: ManifestNode,
  tags: string[],
  opts: PushOptions
): Promise<PushResult> {
  const started = Date.now()
  const clients = new Map<string, RegistryClient>()
  const client = (registry: string): RegistryClient => {
    let c = clients.get(registry)
    if (!c) {
      c = new RegistryClient(registry, {
        credentials: opts.credentials(registry),
        credentialSource: opts.credentialSource?.(registry),
        retry: {
          ...(opts.retry ?? { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20_000 }),
          deadline: opts.deadline
        },
        onRetry: (what, attempt, delay, why) =>
          opts.log.warning(
            `${registry}: ${what} failed (${why}, attempt ${attempt}); retrying in ${(delay / 1000).toFixed(1)}s`
          )
      })
      clients.set(registry, c)
    }
    return c
  }
  const digest = root.descriptor.digest
  const result: PushResult = {
    pushed: [],
    digests: {},
    digest,
    uploadedBytes: 0,
    reusedBlobs: 0,
    seconds: 0
  }
  const refs = tags.map(splitTag)
  const images = [...new Map(refs.map((r) => [r.image, r])).values()]
  const manifests = manifestsBottomUp(root)
  const blobs = new Map<string, Descriptor>()
  for (const m of manifests) for (const b of m.blobs) blobs.set(b.digest, b)

  try {
    // 1. Blobs and manifests by digest, image by image; blobs pushed once are mounted elsewhere.
    const holders = new Map<string, string[]>() // registry -> repositories that hold every blob
    for (const target of images) {
      const c = client(target.registry)
      const from = holders.get(target.registry)?.[0]
      for (const blob of blobs.values()) {
        if (await c.blobExists(target.repository, blob.digest)) {
          result.reusedBlobs++
          continue
        }
        if (from && (await c.mountBlob(target.repository, blob.digest, from))) {
          result.reusedBlobs++
          continue
        }
        await c.uploadBlob(target.repository, blob.digest, blob.size, () =>
          layout.openBlob(blob.digest)
        )
        result.uploadedBytes += blob.size
      }
      for (const m of manifests) {
        await c.putManifest(target.repository, m.descriptor.digest, m.descriptor.mediaType, m.bytes)
      }
      holders.set(target.registry, [...(holders.get(target.registry) ?? []), target.repository])
      result.digests[target.image] = digest
      opts.log.info(
        `${target.image}@${digest}: complete (${formatBytes(compressedSize(root))} in ${blobs.size} blobs)`
      )
    }
  } catch (e) {
    throw wrap(e, [], tags)
  }

  // 2. Tags, in order: the tag moves only now that its digest is complete in its repository.
  for (const [i, ref] of refs.entries()) {
    try {
      await client(ref.registry).putManifest(
        ref.repository,
        ref.tag,
        root.descriptor.mediaType,
        root.bytes
      )
      result.pushed.push(tags[i])
      opts.log.info(`${tags[i]} -> ${digest}`)
    } catch (e) {
      throw wrap(e, result.pushed, tags.slice(i))
    }
  }
  result.seconds = (Date.now() - started) / 1000
  return result
}

function wrap(e: unknown, moved: string[], notMoved: string[]): unknown {
  const base = asUserError(e)
  const message = (base instanceof Error ? base.message : String(base)).replace(/\s*\n\s*/g, ' ')
  // One line: what failed, then exactly which tags moved to the tested digest and which did not.
  const detail = moved.length
    ? `${message} Tags moved to the tested digest: ${moved.join(', ')}; not moved: ${notMoved.join(', ')}.`
    : `${message} No tag was moved.`
  if (base instanceof Error && base.name === 'UserError') {
    base.message = detail
    return base
  }
  return new PushError(detail, moved, notMoved)
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let v = n
  let u = 0
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000
    u++
  }
  return `${v.toFixed(v >= 100 || u === 0 ? 0 : 1)} ${units[u]}`
}

/**
 * Version tags first, floating tags last, so a failure part-way never moves a floating tag
 * (`latest`, `latest-gpu`, a branch) to an image whose version tag is missing. `floating` says
 * which tags float (from the tag rules that produced them).
 */
export function pushOrder(tags: string[], floating: (tag: string) => boolean): string[] {
  return [...tags].sort((a, b) => Number(floating(a)) - Number(floating(b)))
}
