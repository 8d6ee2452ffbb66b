import {
  describeFiles,
  mib,
  isMlArtifact,
  isWholeContextCopy,
  shippedBy
} from '../facts/context.js'
import { varsBefore } from '../facts/scopes.js'
import type { Hit, Rule } from '../rule.js'

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
