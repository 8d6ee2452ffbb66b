import { copyInfo, runInfo } from '../model.js'
import type { Rule } from '../rule.js'
import { DOCKER_HUB, splitReference } from '../../reference.js'

/** The registry as written, as hadolint compares it (`index.docker.io` is not `docker.io` here). */
function writtenRegistry(image: string): string {
  return splitReference(image).registry ?? DOCKER_HUB
}

export function registryTrusted(registry: string, trusted: string[]): boolean {
  return trusted.some(
    (t) => t === '*' || t === registry || (t.startsWith('*.') && registry.endsWith(t.slice(1)))
  )
}

/** Inert unless trusted registries are configured; stage aliases and scratch are always allowed. */
export const DL3026: Rule = {
  code: 'DL3026',
  severity: 'error',
  message: 'Use only an allowed registry in the FROM image',
  name: 'trusted-registry',
  check: ({ df, trustedRegistries }) => {
    if (trustedRegistries.length === 0) return []
    const out: { line: number }[] = []
    const aliases = new Set<string>()
    const untrusted = (image: string): boolean =>
      image !== 'scratch' &&
      !aliases.has(image) &&
      !registryTrusted(writtenRegistry(image), trustedRegistries)
    for (const i of df.instructions) {
      if (i.keyword === 'FROM' && i.stage) {
        if (untrusted(i.stage.image)) out.push({ line: i.line })
        if (i.stage.alias !== undefined) aliases.add(i.stage.alias)
      } else if (i.keyword === 'COPY') {
        const from = copyInfo(i).from
        if (from !== undefined && from.includes(':') && untrusted(from)) out.push({ line: i.line })
      } else if (i.keyword === 'RUN') {
        if (
          runInfo(i).mounts.some(
            (m) => m.from !== undefined && m.from.includes(':') && untrusted(m.from)
          )
        ) {
          out.push({ line: i.line })
        }
      }
    }
    return out
  }
}
