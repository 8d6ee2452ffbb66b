/**
 * hadolint's inline pragmas, with its exact scoping:
 *  - `# hadolint ignore=A,B` silences those rules on the next line only (findings are reported
 *    on the first line of an instruction, so it works above a continued RUN);
 *  - `# hadolint global ignore=A` silences them in the whole file, wherever it stands;
 *  - `# hadolint stage ignore=A` silences them after the line that follows it, up to the next
 *    FROM (placed right above a FROM: the whole stage except the FROM line itself).
 * Codes must be upper-case; free text after the list needs its own `#`, otherwise the pragma
 * is ignored altogether.
 */
import type { Comment } from './dockerfile.js'

const PRAGMA_RE =
  /^\s*hadolint\s+(?:(global|stage)\s+)?ignore=([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)\s*(?:#.*)?$/

export interface Pragmas {
  /** line -> codes ignored on that line */
  line: Map<number, Set<string>>
  global: Set<string>
  /** [after, before) line ranges */
  stage: { after: number; before: number; codes: Set<string> }[]
}

export function parsePragmas(comments: Comment[], fromLines: number[]): Pragmas {
  const pragmas: Pragmas = { line: new Map(), global: new Set(), stage: [] }
  for (const c of comments) {
    const m = PRAGMA_RE.exec(c.text)
    if (!m) continue
    const codes = m[2].split(',').map((s) => s.trim())
    if (m[1] === 'global') for (const code of codes) pragmas.global.add(code)
    else if (m[1] === 'stage') {
      const anchor = c.line + 1
      const next = fromLines.find((l) => l > anchor) ?? Number.POSITIVE_INFINITY
      pragmas.stage.push({ after: anchor, before: next, codes: new Set(codes) })
    } else {
      const set = pragmas.line.get(c.line + 1) ?? new Set<string>()
      for (const code of codes) set.add(code)
      pragmas.line.set(c.line + 1, set)
    }
  }
  return pragmas
}

export function isIgnoredByPragma(p: Pragmas, code: string, line: number): boolean {
  if (p.global.has(code)) return true
  if (p.line.get(line)?.has(code)) return true
  return p.stage.some((s) => s.codes.has(code) && line > s.after && line < s.before)
}
