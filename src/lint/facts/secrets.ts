import { describeFiles, contextCopies, shippedBy } from './context.js'
/** Shared logic of MLD004 (.env files) and MLD005 (credential files). */
import { copyInfo, type Dockerfile } from '../model.js'
import { varsBefore } from './scopes.js'
import type { BuildContext } from '../context.js'
import type { Hit } from '../rule.js'

export function explicitOrShipped(
  df: Dockerfile,
  context: BuildContext | undefined,
  matches: (path: string) => boolean,
  what: string
): Hit[] {
  const out: Hit[] = []
  for (const i of contextCopies(df.instructions)) {
    const c = copyInfo(i)
    const named = c.sources.filter((s) => matches(s.replace(/\/+$/, '')))
    if (!context) {
      if (named.length > 0)
        out.push({
          line: i.line,
          message: `${i.keyword} copies ${what} into the image: ${describeFiles(named)}`
        })
      continue
    }
    const shipped = shippedBy(i, context, varsBefore(df, i))
      .map((f) => f.path)
      .filter(matches)
    if (shipped.length > 0) {
      out.push({
        line: i.line,
        message: `${i.keyword} ships ${what} into the image: ${describeFiles(shipped)}`
      })
    }
  }
  return out
}

export function baseOf(path: string): string {
  const parts = path.split('/')
  return parts[parts.length - 1]
}
