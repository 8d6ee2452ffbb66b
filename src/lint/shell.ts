/**
 * A POSIX/bash shell parser sized for linting: it turns a RUN script into the simple commands
 * it runs (including those inside `$(...)`, backticks, subshells, `if`/`for`/`while`/`case`
 * bodies and pipelines), each with its words (quotes removed, expansions kept as written),
 * prefix assignments, redirections and here-documents, plus the operator that follows it.
 *
 * Why not sh-syntax (mvdan/sh compiled to WASM): its API is asynchronous, so the synchronous
 * `lintSource` could not use it, and crossing into WASM and back through JSON for every RUN costs
 * more than the whole per-file budget. Rules only need commands, words and operators, which this
 * parser gives exactly; it never throws (unterminated quotes or substitutions end at the end of
 * the script, as ShellCheck recovers).
 */

export interface Word {
  /** text with quotes and escapes removed; `$VAR`, `${...}`, `$(...)` kept as written */
  value: string
  /** source text */
  raw: string
  /** some part was quoted */
  quoted: boolean
  /** contains an unquoted or double-quoted expansion (`$`, backtick) */
  dynamic: boolean
}

export interface Redirect {
  op: string
  fd?: string
  target?: Word
  heredoc?: { name: string; body: string; quoted: boolean }
}

export type Separator = '&&' | '||' | '|' | '|&' | ';' | '&' | '\n' | ''

export interface SimpleCommand {
  /** first word (`pip`, `/usr/bin/env`, ...); '' when the command is only assignments */
  name: string
  /** basename of `name` (`/usr/bin/pip3` -> `pip3`), set when the command is complete */
  base: string
  /** words after the name */
  args: Word[]
  assignments: { name: string; value: string }[]
  redirects: Redirect[]
  /** operator that follows the command ('' at the end of its list) */
  next: Separator
  /** operator that precedes the command ('' at the start of its list) */
  prev: Separator
  /** 0 at top level; > 0 inside substitutions, subshells, compound commands */
  depth: number
  /** run in the background (`cmd &`, `( ... ) &`, `{ ...; } &`) */
  background: boolean
}

export interface ParsedShell {
  commands: SimpleCommand[]
  /** a `|` or `|&` pipe appears anywhere (including inside substitutions) */
  hasPipes: boolean
}

/** characters that end a plain run inside a word */
const SPECIAL_IN_WORD = new Set([
  ' ',
  '\t',
  '\r',
  '\n',
  ';',
  '&',
  '|',
  '(',
  ')',
  '<',
  '>',
  '\\',
  "'",
  '"',
  '$',
  '`'
])
const OPERATOR_CHARS = new Set([';', '&', '|', '(', ')', '<', '>', '\n'])
const BLANK = new Set([' ', '\t', '\r'])
const OPENING_KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  '{',
  'time'
])
const CLOSING_KEYWORDS = new Set(['fi', 'done', '}', 'esac'])
const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/

type Token = { kind: 'word'; word: Word } | { kind: 'op'; op: string }

class Lexer {
  pos = 0
  /** heredocs whose bodies must be read at the next newline */
  pendingHeredocs: Redirect[] = []
  readonly nested: ParsedShell[] = []

  constructor(
    readonly src: string,
    readonly end: number,
    /** nesting depth of the script this lexer reads */
    readonly depth: number
  ) {}

  private skipBlanksAndComments(): void {
    const s = this.src
    for (;;) {
      while (this.pos < this.end && BLANK.has(s[this.pos])) this.pos++
      if (s[this.pos] === '\\' && s[this.pos + 1] === '\n') {
        this.pos += 2
        continue
      }
      if (s[this.pos] === '#') {
        while (this.pos < this.end && s[this.pos] !== '\n') this.pos++
      }
      return
    }
  }

  next(): Token | undefined {
    this.skipBlanksAndComments()
    const s = this.src
    if (this.pos >= this.end) return undefined
    const c = s[this.pos]
    if (c === '\n') {
      this.pos++
      this.readPendingHeredocs()
      return { kind: 'op', op: '\n' }
    }
    if (OPERATOR_CHARS.has(c) && !((c === '<' || c === '>') && s[this.pos + 1] === '(')) {
      return { kind: 'op', op: this.readOperator() }
    }
    return { kind: 'word', word: this.readWord() }
  }

  private readOperator(): string {
    const s = this.src
    const three = s.slice(this.pos, this.pos + 3)
    for (const op of ['<<-', '<<<', '&>>', ';;&']) {
      if (three === op) {
        this.pos += 3
        return op
      }
    }
    const two = s.slice(this.pos, this.pos + 2)
    for (const op of ['&&', '||', ';;', ';&', '|&', '<<', '>>', '<&', '>&', '<>', '>|', '&>']) {
      if (two === op) {
        this.pos += 2
        return op
      }
    }
    const one = s[this.pos]
    this.pos++
    return one
  }

  /** Reads one word, handling quotes, escapes and nested expansions. */
  readWord(): Word {
    const s = this.src
    const start = this.pos
    let value = ''
    let quoted = false
    let dynamic = false
    while (this.pos < this.end) {
      const c = s[this.pos]
      if (BLANK.has(c) || c === '\n') break
      if (OPERATOR_CHARS.has(c)) {
        if ((c === '<' || c === '>') && s[this.pos + 1] === '(') {
          const from = this.pos
          this.pos += 2
          this.parseNested(')')
          value += s.slice(from, this.pos)
          dynamic = true
          continue
        }
        break
      }
      if (c === '\\') {
        if (s[this.pos + 1] === '\n') {
          this.pos += 2
          continue
        }
        value += s[this.pos + 1] ?? ''
        quoted = true
        this.pos += 2
        continue
      }
      if (c === "'") {
        const close = s.indexOf("'", this.pos + 1)
        const stop = close < 0 || close >= this.end ? this.end : close
        value += s.slice(this.pos + 1, stop)
        quoted = true
        this.pos = stop + 1
        continue
      }
      if (c === '"') {
        quoted = true
        this.pos++
        while (this.pos < this.end && s[this.pos] !== '"') {
          const d = s[this.pos]
          if (d === '\\' && this.pos + 1 < this.end) {
            const e = s[this.pos + 1]
            if (e === '\n') {
              this.pos += 2
              continue
            }
            value += '$`"\\'.includes(e) ? e : d + e
            this.pos += 2
            continue
          }
          if (d === '$' || d === '`') {
            const from = this.pos
            if (this.readExpansion()) {
              value += s.slice(from, this.pos)
              dynamic = true
              continue
            }
          }
          value += d
          this.pos++
        }
        this.pos++
        continue
      }
      if (c === '$' && s[this.pos + 1] === "'") {
        // $'...' ANSI-C quoting
        let j = this.pos + 2
        let text = ''
        while (j < this.end && s[j] !== "'") {
          if (s[j] === '\\' && j + 1 < this.end) {
            const e = s[j + 1]
            text += e === 'n' ? '\n' : e === 't' ? '\t' : e
            j += 2
            continue
          }
          text += s[j]
          j++
        }
        value += text
        quoted = true
        this.pos = j + 1
        continue
      }
      if (c === '$' || c === '`') {
        const from = this.pos
        if (this.readExpansion()) {
          value += s.slice(from, this.pos)
          dynamic = true
          continue
        }
      }
      // plain run: copy up to the next character that needs attention
      let j = this.pos + 1
      while (j < this.end && !SPECIAL_IN_WORD.has(s[j])) j++
      value += s.slice(this.pos, j)
      this.pos = j
    }
    if (this.pos > this.end) this.pos = this.end
    return { value, raw: s.slice(start, this.pos), quoted, dynamic }
  }

  /** At `$` or a backtick: consumes an expansion; returns false for a literal `$`. */
  private readExpansion(): boolean {
    const s = this.src
    const c = s[this.pos]
    if (c === '`') {
      let j = this.pos + 1
      let inner = ''
      while (j < this.end && s[j] !== '`') {
        if (s[j] === '\\' && j + 1 < this.end) {
          inner += s[j + 1]
          j += 2
          continue
        }
        inner += s[j]
        j++
      }
      this.nested.push(parseShell(inner, this.depth + 1))
      this.pos = Math.min(j + 1, this.end)
      return true
    }
    const d = s[this.pos + 1]
    if (d === '(') {
      if (s[this.pos + 2] === '(') {
        this.pos = this.skipBalanced(this.pos + 3, '(', ')', 2)
        return true
      }
      this.pos += 2
      this.parseNested(')')
      return true
    }
    if (d === '{') {
      this.pos = this.skipBalanced(this.pos + 2, '{', '}', 1)
      return true
    }
    if (d !== undefined && /[A-Za-z0-9_@*#?$!-]/.test(d)) {
      let j = this.pos + 1
      if (/[A-Za-z_]/.test(d)) {
        while (j < this.end && /[A-Za-z0-9_]/.test(s[j])) j++
      } else j++
      this.pos = j
      return true
    }
    return false
  }

  private skipBalanced(from: number, open: string, close: string, depth: number): number {
    const s = this.src
    let j = from
    let quote = ''
    while (j < this.end && depth > 0) {
      const c = s[j]
      if (quote) {
        if (c === quote) quote = ''
        else if (c === '\\' && quote === '"') j++
      } else if (c === '\\') j++
      else if (c === '"' || c === "'") quote = c
      else if (c === open) depth++
      else if (c === close) depth--
      j++
    }
    return Math.min(j, this.end)
  }

  /** Parses a nested script up to the matching closer; its commands become nested. */
  private parseNested(closer: ')'): void {
    const sub = new Lexer(this.src, this.end, this.depth + 1)
    sub.pos = this.pos
    this.nested.push(parseTokens(sub, closer, this.depth + 1))
    this.pos = sub.pos
  }

  private readPendingHeredocs(): void {
    const s = this.src
    for (const r of this.pendingHeredocs) {
      const doc = r.heredoc!
      const strip = r.op === '<<-'
      let body = ''
      while (this.pos < this.end) {
        let nl = s.indexOf('\n', this.pos)
        if (nl < 0 || nl > this.end) nl = this.end
        const line = s.slice(this.pos, nl)
        this.pos = Math.min(nl + 1, this.end)
        const candidate = strip ? line.replace(/^\t+/, '') : line
        if (candidate === doc.name) break
        body += candidate + '\n'
      }
      doc.body = body
    }
    this.pendingHeredocs = []
  }
}

function parseTokens(lex: Lexer, closer: ')' | undefined, baseDepth: number): ParsedShell {
  const commands: SimpleCommand[] = []
  let depth = baseDepth
  let current: SimpleCommand | undefined
  let prev: Separator = ''
  /** state for `for x in ...` / `case w in` / `f()` constructs whose words are not commands */
  let skipUntilSeparator = false
  let caseState: 'none' | 'subject' | 'pattern' | 'body' = 'none'
  const caseStack: ('none' | 'subject' | 'pattern' | 'body')[] = []
  let parenDepth = 0
  let pipes = false
  /** command index where each open `(` / `{` group started, and the group closed last */
  const groups: number[] = []
  let closedGroup: number | undefined

  const finish = (sep: Separator): void => {
    if (!current && closedGroup !== undefined && sep === '&') {
      for (let k = closedGroup; k < commands.length; k++) commands[k].background = true
    }
    closedGroup = undefined
    if (current) {
      current.base = baseName(current.name)
      current.next = sep
      current.background = sep === '&'
      if (current.name !== '' || current.assignments.length > 0 || current.redirects.length > 0) {
        commands.push(current)
      }
      current = undefined
    }
    prev = sep
  }

  for (;;) {
    const tok = lex.next()
    if (!tok) break
    if (tok.kind === 'op') {
      const op = tok.op
      if (op === ')') {
        if (caseState === 'pattern') {
          caseState = 'body'
          prev = ''
          continue
        }
        if (parenDepth > 0) {
          finish('')
          parenDepth--
          depth--
          closedGroup = groups.pop()
          continue
        }
        if (closer === ')') {
          finish('')
          break
        }
        continue
      }
      if (op === '(') {
        if (current && current.name !== '' && current.args.length === 0) {
          // function definition `name()`: the name is not a command
          current = undefined
          const close = lex.next()
          if (close && close.kind === 'op' && close.op !== ')') {
            /* malformed; ignore */
          }
          continue
        }
        if (caseState === 'pattern') continue
        finish(prev)
        groups.push(commands.length)
        parenDepth++
        depth++
        continue
      }
      if (isRedirectOp(op)) {
        const target = lex.next()
        const redirect: Redirect = { op }
        if (target && target.kind === 'word') {
          redirect.target = target.word
          if (op === '<<' || op === '<<-') {
            redirect.heredoc = { name: target.word.value, body: '', quoted: target.word.quoted }
            lex.pendingHeredocs.push(redirect)
          }
        }
        current ??= newCommand(prev, depth)
        // A trailing fd number (`2>`) was read as the command's last word.
        const last = current.args[current.args.length - 1]
        if (last && /^\d+$/.test(last.raw) && !last.quoted) {
          current.args.pop()
          redirect.fd = last.raw
        } else if (current.name !== '' && current.args.length === 0 && /^\d+$/.test(current.name)) {
          redirect.fd = current.name
          current.name = ''
        }
        current.redirects.push(redirect)
        continue
      }
      // list / pipeline separators
      if (op === '|' || op === '|&') {
        if (caseState === 'pattern') continue
        pipes = true
      }
      const sep: Separator = op === ';;' || op === ';&' || op === ';;&' ? ';' : (op as Separator)
      skipUntilSeparator = false
      finish(sep)
      if ((op === ';;' || op === ';&' || op === ';;&') && caseState === 'body')
        caseState = 'pattern'
      continue
    }

    const word = tok.word
    if (caseState === 'subject') {
      if (word.value === 'in' && !word.quoted) caseState = 'pattern'
      continue
    }
    if (caseState === 'pattern') {
      if (word.value === 'esac' && !word.quoted) {
        caseState = caseStack.pop() ?? 'none'
        depth--
      }
      continue
    }
    if (skipUntilSeparator) {
      if (word.value === 'do' && !word.quoted) skipUntilSeparator = false
      continue
    }
    if (
      !current ||
      (current.name === '' && current.assignments.length === 0 && current.redirects.length === 0)
    ) {
      if (!word.quoted) {
        const w = word.value
        if (OPENING_KEYWORDS.has(w)) {
          if (w === 'if' || w === 'while' || w === 'until' || w === '{') depth++
          if (w === '{') groups.push(commands.length)
          prev = ''
          continue
        }
        if (CLOSING_KEYWORDS.has(w)) {
          if (w === 'esac') caseState = caseStack.pop() ?? 'none'
          if (w === '}') closedGroup = groups.pop()
          depth = Math.max(baseDepth, depth - 1)
          continue
        }
        if (w === 'for' || w === 'select') {
          skipUntilSeparator = true
          depth++
          continue
        }
        if (w === 'case') {
          caseStack.push(caseState)
          caseState = 'subject'
          depth++
          continue
        }
        if (w === 'function') {
          skipUntilSeparator = true
          continue
        }
        if (w === '[[') {
          current = newCommand(prev, depth)
          current.name = '[['
          continue
        }
      }
    }
    current ??= newCommand(prev, depth)
    if (current.name === '' && ASSIGNMENT_RE.test(word.raw)) {
      const eq = word.value.indexOf('=')
      current.assignments.push({
        name: word.value.slice(0, eq).replace(/\+$/, ''),
        value: word.value.slice(eq + 1)
      })
      continue
    }
    if (current.name === '') current.name = word.value
    else current.args.push(word)
    if (caseState === 'body' && current.name === 'esac') {
      current = undefined
      caseState = caseStack.pop() ?? 'none'
    }
  }
  finish('')
  const nested = lex.nested.splice(0)
  for (const sub of nested) {
    commands.push(...sub.commands)
  }
  return { commands, hasPipes: pipes || nested.some((n) => n.hasPipes) }
}

function newCommand(prev: Separator, depth: number): SimpleCommand {
  return {
    name: '',
    base: '',
    args: [],
    assignments: [],
    redirects: [],
    next: '',
    prev,
    depth,
    background: false
  }
}

function isRedirectOp(op: string): boolean {
  return (
    op === '<' ||
    op === '>' ||
    op === '>>' ||
    op === '<<' ||
    op === '<<-' ||
    op === '<<<' ||
    op === '<&' ||
    op === '>&' ||
    op === '<>' ||
    op === '>|' ||
    op === '&>' ||
    op === '&>>'
  )
}

export function parseShell(script: string, depth = 0): ParsedShell {
  const lex = new Lexer(script, script.length, depth)
  return parseTokens(lex, undefined, depth)
}

// ---------------------------------------------------------------------------------------------
// Helpers with hadolint's Shell module semantics (getAllFlags, getArgsNoFlags, dropFlagArg...)

/**
 * Flags as ShellCheck's getAllFlags sees them, up to a `--` argument: `--name=v` gives `name`,
 * `-abc` gives `a`, `b`, `c`. Each entry keeps the index of the argument it came from.
 */
export function flagsOf(cmd: SimpleCommand): { flag: string; index: number }[] {
  const out: { flag: string; index: number }[] = []
  cmd.args.forEach((a, index) => {
    const v = a.value
    if (v === '--') {
      out.push({ flag: '\u0000stop', index })
      return
    }
    if (v.startsWith('--')) out.push({ flag: v.slice(2).split('=')[0], index })
    else if (v.startsWith('-') && v.length > 1)
      for (const ch of v.slice(1)) out.push({ flag: ch, index })
  })
  const stop = out.findIndex((f) => f.flag === '\u0000stop')
  return stop < 0 ? out : out.slice(0, stop)
}

export function hasFlag(cmd: SimpleCommand, ...names: string[]): boolean {
  return flagsOf(cmd).some((f) => names.includes(f.flag))
}

export function countFlag(cmd: SimpleCommand, name: string): number {
  return flagsOf(cmd).filter((f) => f.flag === name).length
}

export function argValues(cmd: SimpleCommand): string[] {
  return cmd.args.map((a) => a.value)
}

export function hasArg(cmd: SimpleCommand, ...values: string[]): boolean {
  return cmd.args.some((a) => values.includes(a.value))
}

/** hadolint's cmdHasArgs: the command is `name` and one of `values` is among its arguments. */
export function cmdHasArgs(cmd: SimpleCommand, name: string, values: string[]): boolean {
  return cmd.name === name && hasArg(cmd, ...values)
}

/**
 * hadolint's dropFlagArg: for each flag in `names` given as its own argument (no `=value`),
 * the argument right after it is its value and is removed. Returns the remaining arguments.
 */
export function dropFlagArgs(cmd: SimpleCommand, names: string[]): Word[] {
  const drop = new Set<number>()
  for (const f of flagsOf(cmd)) {
    if (names.includes(f.flag) && !cmd.args[f.index].value.includes('=')) drop.add(f.index + 1)
  }
  return cmd.args.filter((_, i) => !drop.has(i))
}

/** Arguments that are not flags (do not start with `-`). */
export function nonFlagArgs(args: Word[]): Word[] {
  return args.filter((a) => !a.value.startsWith('-'))
}

/** The value of the first `-x value`, `-xvalue`, `--long value` or `--long=value`. */
export function flagValue(cmd: SimpleCommand, short: string[], long: string[]): string | undefined {
  const args = cmd.args
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value
    if (v === '--') return undefined
    if (v.startsWith('--')) {
      const [name, ...rest] = v.slice(2).split('=')
      if (long.includes(name)) return rest.length > 0 ? rest.join('=') : args[i + 1]?.value
    } else if (v.startsWith('-') && v.length > 1) {
      const ch = v[1]
      if (short.includes(ch))
        return v.length > 2 ? v.slice(2).replace(/^=/, '') : args[i + 1]?.value
    }
  }
  return undefined
}

/** Basename of a command name (`/usr/bin/pip3` -> `pip3`). */
export function baseName(name: string): string {
  const i = name.lastIndexOf('/')
  return i < 0 ? name : name.slice(i + 1)
}
