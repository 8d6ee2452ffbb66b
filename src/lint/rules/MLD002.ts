import { isMlArtifact, isWholeContextCopy, shippedBy, varsBefore } from '../ml.js'
import type { Hit, Rule } from '../rule.js'

export function describeFiles(paths: string[], limit = 3): string {
  const shown = paths.slice(0, limit).join(', ')
  return paths.length > limit ? `${shown} and ${paths.length - limit} more` : shown
}

export function mib(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`
}

export const MLD002: Rule = {
  code: 'MLD002',
  severity: 'warning',
  message: 'The whole-context copy ships ML artifacts (model weights, datasets)',
  name: 'ml-artifacts-in-build-context',
  check: ({ df, context }) => {
    if (!context) return []
    const out: Hit[] = []
    for (const i of df.instructions.filter(isWholeContextCopy)) {
      const artifacts = shippedBy(i, context, varsBefore(df, i)).filter(isMlArtifact)
      if (artifacts.length === 0) continue
      const bytes = artifacts.reduce((n, f) => n + f.size, 0)
      out.push({
        line: i.line,
        message: `The whole-context copy ships ${artifacts.length} ML artifact(s), ${mib(bytes)}: ${describeFiles(artifacts.map((f) => f.path))}. Exclude them in .dockerignore with patterns that match below the root (e.g. \`**/*.pt\`, \`models/\`) and download or COPY models deliberately`
      })
    }
    return out
  }
}
