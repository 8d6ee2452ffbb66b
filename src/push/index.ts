import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { repositoryOf } from '../reference.js'

export interface PushResult {
  pushed: string[]
  /** Manifest digest per repository (all tags of one repository share it). */
  digests: Record<string, string>
  digest: string
}

export function parsePushDigest(output: string): string | undefined {
  return /digest: (sha256:[a-f0-9]{64})/.exec(output)?.[1]
}

/**
 * Pushes exactly the tested image: every tag must still resolve to its image id in the local
 * daemon before anything is sent. Version tags go first and floating ones (`latest`) last, so
 * a failure part-way never moves `latest` to an image whose version tag is missing.
 */
export function pushOrder(tags: string[]): string[] {
  const floating = (t: string): number => (/:(latest|edge|main|master)$/.test(t) ? 1 : 0)
  return [...tags].sort((a, b) => floating(a) - floating(b))
}

export async function push(
  docker: Docker,
  imageId: string,
  tags: string[],
  opts: { retries?: number; backoffMs?: number } = {}
): Promise<PushResult> {
  for (const tag of tags) {
    const id = await docker.imageId(tag)
    if (id !== imageId) {
      throw new Error(
        `Refusing to push: ${tag} is ${id ?? 'missing'} locally, not the tested image ${imageId}.`
      )
    }
  }
  const retries = opts.retries ?? 3
  const result: PushResult = { pushed: [], digests: {}, digest: '' }
  for (const tag of pushOrder(tags)) {
    let attempt = 0
    for (;;) {
      attempt++
      const res = await docker.run(['push', tag], { stream: true })
      if (res.code === 0) {
        const digest = parsePushDigest(res.output)
        const repo = repositoryOf(tag)
        if (digest) {
          result.digests[repo] = digest
          result.digest ||= digest
        }
        result.pushed.push(tag)
        break
      }
      if (attempt > retries) {
        const done = result.pushed.length ? ` Already pushed: ${result.pushed.join(', ')}.` : ''
        throw new Error(
          `docker push ${tag} failed after ${attempt} attempts: ${lastLines(res.output, 5)}.${done}`
        )
      }
      const wait = (opts.backoffMs ?? 2000) * 2 ** (attempt - 1)
      docker.log.warning(`push of ${tag} failed (attempt ${attempt}); retrying in ${wait / 1000}s`)
      await new Promise((r) => setTimeout(r, wait))
    }
  }
  return result
}
