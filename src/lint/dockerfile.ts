/**
 * Dockerfile lexer. It follows BuildKit's own parser (frontend/dockerfile/parser): parser
 * directives at the top, `escape` directive, comment lines dropped inside continuations,
 * continuation lines concatenated without an added space, empty continuation lines skipped,
 * heredocs (`<<EOF`, `<<-EOF`, quoted names) collected after the instruction line for
 * RUN/COPY/ADD, builder flags (`--name=value`) split off, exec-form JSON detected the way
 * `parseMaybeJSON` does it.
 *
 * It is written here instead of taking dockerfile-ast because that library costs 0.4-2 ms
 * per typical file before any rule runs (the whole lint budget is < 2 ms per file) and keeps
 * comment lines inside continued instructions; test/unit/lint/parser.test.ts cross-checks the
 * instruction boundaries against dockerfile-ast on the whole corpus.
 */

export interface Heredoc {
  name: string
  /** `<<-`: leading tabs are stripped from body lines and terminator */
  chomp: boolean
  /** quoted name (`<<"EOF"`, `<<'EOF'`): no variable expansion in the body */
  quoted: boolean
  content: string
}

export interface BuildFlag {
  name: string
  /** undefined for a bare `--link`; surrounding quotes removed */
  value: string | undefined
  /** value as written */
  raw: string | undefined
}

export interface RawInstruction {
  /** upper-case keyword (`RUN`, `FROM`, ...) */
  keyword: string
  /** 1-based first line of the instruction */
  line: number
  /** 1-based last line, heredoc bodies included */
  endLine: number
  /** everything after the keyword, continuations joined, builder flags included */
  rest: string
  /** builder flags at the start of `rest` (`--from=x`, `--mount=...`) */
  flags: BuildFlag[]
  /** `rest` without the leading builder flags */
  args: string
  heredocs: Heredoc[]
}

export interface Comment {
  line: number
  /** text after `#`, untrimmed */
  text: string
}

export interface ParseError {
  line: number
  column?: number
  message: string
}

export interface ParsedDockerfile {
  instructions: RawInstruction[]
  comments: Comment[]
  directives: Record<string, string>
  escape: string
  lines: string[]
  error?: ParseError
}

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR'
])

const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD'])
const DIRECTIVE_RE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/
const COMMENT_RE = /^\s*#/

/** Splits source text into lines, tolerating CRLF, lone CR and a UTF-8 BOM. */
export function splitLines(source: string): string[] {
  let text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

function trimContinuation(line: string, escape: string): { text: string; continued: boolean } {
  let end = line.length
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--
  if (end > 0 && line[end - 1] === escape) {
    // An escaped escape character (`\\` at the end) is not a continuation.
    let count = 0
    for (let i = end - 1; i >= 0 && line[i] === escape; i--) count++
    if (count % 2 === 1) return { text: line.slice(0, end - 1), continued: true }
  }
  return { text: line, continued: false }
}

/** Splits `--name=value` builder flags off the start of an instruction's arguments. */
export function splitBuildFlags(rest: string): { flags: BuildFlag[]; args: string } {
  const flags: BuildFlag[] = []
  let i = 0
  const n = rest.length
  for (;;) {
    while (i < n && (rest[i] === ' ' || rest[i] === '\t')) i++
    if (!rest.startsWith('--', i) || i + 2 >= n || rest[i + 2] === ' ' || rest[i + 2] === '\t')
      break
    let j = i + 2
    let quote = ''
    while (j < n) {
      const c = rest[j]
      if (quote) {
        if (c === quote) quote = ''
      } else if (c === '"' || c === "'") quote = c
      else if (c === ' ' || c === '\t') break
      j++
    }
    const token = rest.slice(i + 2, j)
    const eq = token.indexOf('=')
    flags.push(
      eq < 0
        ? { name: token, value: undefined, raw: undefined }
        : {
            name: token.slice(0, eq),
            value: unquote(token.slice(eq + 1)),
            raw: token.slice(eq + 1)
          }
    )
    i = j
  }
  return { flags, args: rest.slice(i).replace(/^[ \t]+/, '') }
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0])
    return s.slice(1, -1)
  return s
}

/**
 * Finds heredoc openers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'E O F'`) in an instruction line,
 * outside quotes, the way BuildKit's heredocsFromLine does with its shell lexer.
 */
export function findHeredocOpeners(
  line: string
): { name: string; chomp: boolean; quoted: boolean }[] {
  const found: { name: string; chomp: boolean; quoted: boolean }[] = []
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote) {
      if (c === quote) quote = ''
      else if (c === '\\' && quote === '"') i++
      continue
    }
    if (c === '\\') {
      i++
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      continue
    }
    if (c !== '<' || line[i + 1] !== '<' || line[i + 2] === '<') continue
    let j = i + 2
    let chomp = false
    if (line[j] === '-') {
      chomp = true
      j++
    }
    let name = ''
    let quoted = false
    while (j < line.length && !/[\s;&|<>()]/.test(line[j])) {
      const d = line[j]
      if (d === '"' || d === "'") {
        quoted = true
        const close = line.indexOf(d, j + 1)
        const stop = close < 0 ? line.length : close
        name += line.slice(j + 1, stop)
        j = stop + 1
        continue
      }
      if (d === '\\') {
        quoted = true
        name += line[j + 1] ?? ''
        j += 2
        continue
      }
      name += d
      j++
    }
    if (name && /^[A-Za-z0-9_.-]+$/.test(name)) found.push({ name, chomp, quoted })
    i = j - 1
  }
  return found
}

export function parseDockerfile(source: string): ParsedDockerfile {
  const lines = splitLines(source)
  const directives: Record<string, string> = {}
  const comments: Comment[] = []
  const instructions: RawInstruction[] = []
  let escape = '\\'
  let i = 0
  let error: ParseError | undefined

  // Parser directives: only at the very top, before any other line (even a blank one).
  for (; i < lines.length; i++) {
    const m = DIRECTIVE_RE.exec(lines[i])
    if (!m) break
    const key = m[1].toLowerCase()
    if (key in directives) break
    directives[key] = m[2]!
    comments.push({ line: i + 1, text: lines[i].slice(lines[i].indexOf('#') + 1) })
  }
  if (directives.escape === '`') escape = '`'
  else if (directives.escape !== undefined && directives.escape !== '\\') {
    error = {
      line: 1,
      message: `invalid escape token '${directives.escape}' does not match ` + '[\\\\`]'
    }
  }

  while (i < lines.length && !error) {
    const first = lines[i]
    const startLine = i + 1
    i++
    if (COMMENT_RE.test(first)) {
      comments.push({ line: startLine, text: first.slice(first.indexOf('#') + 1) })
      continue
    }
    const leading = first.replace(/^[ \t]+/, '')
    if (leading === '') continue
    let { text, continued } = trimContinuation(leading, escape)
    let joined = text
    while (continued && i < lines.length) {
      const next = lines[i]
      i++
      if (COMMENT_RE.test(next)) {
        comments.push({ line: i, text: next.slice(next.indexOf('#') + 1) })
        continue
      }
      if (next.trim() === '') continue
      ;({ text, continued } = trimContinuation(next, escape))
      joined += text
    }
    if (joined.trim() === '') continue
    const m = /^([A-Za-z]+)(?:[ \t]+|$)/.exec(joined)
    const keyword = m ? m[1].toUpperCase() : ''
    if (!m || !KNOWN_INSTRUCTIONS.has(keyword)) {
      const word = /^\S+/.exec(joined)?.[0] ?? joined
      error = { line: startLine, column: 1, message: `unknown instruction: ${word}` }
      break
    }
    const rest = joined.slice(m[0].length).replace(/[ \t]+$/, '')
    const heredocs: Heredoc[] = []
    const innerKeyword =
      keyword === 'ONBUILD' ? (/^([A-Za-z]+)/.exec(rest)?.[1] ?? '').toUpperCase() : keyword
    if (HEREDOC_INSTRUCTIONS.has(innerKeyword) && rest.includes('<<')) {
      for (const opener of findHeredocOpeners(rest)) {
        let content = ''
        let terminated = false
        while (i < lines.length) {
          const raw = lines[i]
          i++
          const candidate = opener.chomp ? raw.replace(/^\t+/, '') : raw
          if (candidate === opener.name) {
            terminated = true
            break
          }
          content += (opener.chomp ? raw.replace(/^\t+/, '') : raw) + '\n'
        }
        if (!terminated) {
          error = { line: startLine, message: `unterminated heredoc ${opener.name}` }
          break
        }
        heredocs.push({ ...opener, content })
      }
      if (error) break
    }
    const { flags, args } = splitBuildFlags(rest)
    instructions.push({ keyword, line: startLine, endLine: i, rest, flags, args, heredocs })
  }
  return { instructions, comments, directives, escape, lines, error }
}

/** `parseMaybeJSON`: a JSON array of strings is exec form, anything else shell form. */
export function parseJsonArray(args: string): string[] | undefined {
  const text = args.trim()
  if (!text.startsWith('[') || !text.endsWith(']')) return undefined
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value
  } catch {
    return undefined
  }
  return undefined
}
