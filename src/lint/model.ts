/**
 * Semantic model of a Dockerfile: instructions with their parsed arguments, stages with
 * aliases and in-file parents, variable expansion where Docker performs it, and every RUN
 * parsed into shell commands. Each derived view of an instruction is computed once (facts/memo.ts),
 * because ~80 rules read the same facts.
 */
import {
  parseDockerfile,
  parseJsonArray,
  splitBuildFlags,
  type BuildFlag,
  type Heredoc,
  type ParsedDockerfile
} from './dockerfile.js'
import { baseName, parseShell, type ParsedShell, type SimpleCommand } from './shell.js'
import { memo } from './facts/memo.js'

export interface Mount {
  type: string
  target?: string
  source?: string
  from?: string
  id?: string
}

export interface Instr {
  keyword: string
  line: number
  endLine: number
  flags: BuildFlag[]
  /** arguments after the builder flags, continuations joined */
  args: string
  heredocs: Heredoc[]
  /** true for the instruction wrapped by ONBUILD */
  onbuild: boolean
  /** stage the instruction belongs to; undefined before the first FROM and in the ONBUILD view */
  stage: Stage | undefined
}

export interface Stage {
  index: number
  from: Instr
  /** image as written */
  image: string
  /** image with global ARG defaults substituted (Docker does this for FROM); undefined if unknown */
  resolvedImage: string | undefined
  alias: string | undefined
  platform: string | undefined
  /** earlier stage named by FROM, compared case-insensitively as BuildKit does */
  parent: Stage | undefined
  /** same, compared case-sensitively as hadolint does */
  parentExact: Stage | undefined
  /** instructions after the FROM, in order */
  instructions: Instr[]
}

export interface Dockerfile {
  file: string
  parsed: ParsedDockerfile
  /** top-level instructions (ONBUILD kept opaque) */
  instructions: Instr[]
  stages: Stage[]
  /** ARGs declared before the first FROM with their defaults */
  globalArgs: Map<string, string | undefined>
  /** instructions wrapped by ONBUILD, in order */
  onbuild: Instr[]
}

export function buildModel(source: string, file = 'Dockerfile'): Dockerfile {
  const parsed = parseDockerfile(source)
  const instructions: Instr[] = []
  const stages: Stage[] = []
  const onbuild: Instr[] = []
  const globalArgs = new Map<string, string | undefined>()
  let stage: Stage | undefined
  for (const raw of parsed.instructions) {
    const instr: Instr = {
      keyword: raw.keyword,
      line: raw.line,
      endLine: raw.endLine,
      flags: raw.flags,
      args: raw.args,
      heredocs: raw.heredocs,
      onbuild: false,
      stage
    }
    if (raw.keyword === 'FROM') {
      const words = splitWords(raw.args)
      const image = words[0] ?? ''
      const alias = words.length >= 3 && words[1].toLowerCase() === 'as' ? words[2] : undefined
      const platform = flagValue(raw.flags, 'platform')
      const resolvedImage = expand(image, (name) => globalArgs.get(name))
      // BuildKit matches stage names after substituting ARGs (`FROM ${BUILD_TYPE}-image`)
      const lower = (resolvedImage ?? image).toLowerCase()
      stage = {
        index: stages.length,
        from: instr,
        image,
        resolvedImage,
        alias,
        platform,
        parent: stages.find((s) => s.alias !== undefined && s.alias.toLowerCase() === lower),
        parentExact: stages.find((s) => s.alias === image),
        instructions: []
      }
      instr.stage = stage
      stages.push(stage)
    } else {
      stage?.instructions.push(instr)
      if (!stage && raw.keyword === 'ARG') {
        // Docker expands a global ARG's default with the ARGs declared before it
        for (const a of argDecls(instr))
          globalArgs.set(
            a.name,
            a.value === undefined ? undefined : expand(a.value, (n) => globalArgs.get(n))
          )
      }
    }
    instructions.push(instr)
    if (raw.keyword === 'ONBUILD') {
      const m = /^([A-Za-z]+)[ \t]*/.exec(raw.args)
      if (m) {
        const inner = splitBuildFlags(raw.args.slice(m[0].length))
        onbuild.push({
          keyword: m[1].toUpperCase(),
          line: raw.line,
          endLine: raw.endLine,
          flags: inner.flags,
          args: inner.args,
          heredocs: raw.heredocs,
          onbuild: true,
          stage: undefined
        })
      }
    }
  }
  return { file, parsed, instructions, stages, globalArgs, onbuild }
}

/** The ONBUILD view: the wrapped instructions as their own instruction stream, as hadolint lints them. */
export function onbuildView(df: Dockerfile): Dockerfile {
  return { ...df, instructions: df.onbuild, stages: [], onbuild: [] }
}

// ---------------------------------------------------------------------------------------------
// Words, quotes, variables

/** Splits on unquoted whitespace, keeping quotes in the words. */
export function splitRawWords(text: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote = ''
  let has = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      cur += c
      if (c === quote) quote = ''
      continue
    }
    if (c === ' ' || c === '\t' || c === '\n') {
      if (has) out.push(cur)
      cur = ''
      has = false
      continue
    }
    if (c === '"' || c === "'") quote = c
    cur += c
    has = true
  }
  if (has) out.push(cur)
  return out
}

/** Removes quote characters (not backslashes: Windows paths keep them, as hadolint does). */
export function stripQuotes(word: string): string {
  let out = ''
  let quote = ''
  for (const c of word) {
    if (quote) {
      if (c === quote) quote = ''
      else out += c
    } else if (c === '"' || c === "'") quote = c
    else out += c
  }
  return out
}

export function splitWords(text: string): string[] {
  return splitRawWords(text).map(stripQuotes)
}

/**
 * Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}` with `lookup`.
 * Returns undefined when a variable without default is unknown.
 */
export function expand(
  text: string,
  lookup: (name: string) => string | undefined
): string | undefined {
  if (!text.includes('$')) return text
  let unknown = false
  const out = text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (
      _m,
      braced: string | undefined,
      op: string | undefined,
      word: string | undefined,
      plain: string | undefined
    ) => {
      const name = braced ?? plain!
      const value = lookup(name)
      if (op === ':-' || op === '-') {
        if (value === undefined || (op === ':-' && value === '')) return word ?? ''
        return value
      }
      if (op === ':+' || op === '+') {
        if (value === undefined || (op === ':+' && value === '')) return ''
        return word ?? ''
      }
      if (value === undefined) {
        unknown = true
        return ''
      }
      return value
    }
  )
  return unknown ? undefined : out
}

function flagValue(flags: BuildFlag[], name: string): string | undefined {
  return flags.find((f) => f.name === name)?.value
}

export function instrFlag(instr: Instr, name: string): string | undefined {
  return flagValue(instr.flags, name)
}

// ---------------------------------------------------------------------------------------------
// RUN

export interface RunInfo {
  /** the script hadolint and the shell see */
  script: string
  shell: ParsedShell
  commands: SimpleCommand[]
  mounts: Mount[]
  /** exec form (`RUN ["a", "b"]`), joined with spaces for parsing as hadolint does */
  exec: boolean
  /** python source run by this RUN (`python -c`, `python <<EOF`, a python-shebang heredoc) */
  python: string[]
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh'])
const PYTHON_RE = /^python(\d(\.\d+)?)?$/

export function isPythonCommand(name: string): boolean {
  return PYTHON_RE.test(baseName(name))
}

function computeRunInfo(instr: Instr): RunInfo {
  const mounts = instr.flags
    .filter((f) => f.name === 'mount' && f.value)
    .map((f) => parseMount(f.value!))
  const json = parseJsonArray(instr.args)
  let script: string
  const python: string[] = []
  if (json) script = json.join(' ')
  else if (instr.heredocs.length > 0 && /^<<-?["']?[A-Za-z0-9_.-]+["']?\s*$/.test(instr.args)) {
    // bare `RUN <<EOF`: the body is the script, or a file run by its shebang interpreter
    const body = instr.heredocs[0].content
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(body)
    const interpreter = shebang
      ? baseName(shebang[1]) === 'env'
        ? (shebang[2] ?? '')
        : baseName(shebang[1])
      : 'sh'
    if (PYTHON_RE.test(interpreter)) {
      python.push(body)
      script = ''
    } else script = SHELLS.has(interpreter) ? body : ''
  } else if (instr.heredocs.length > 0) {
    script = instr.args + '\n' + instr.heredocs.map((h) => h.content + h.name + '\n').join('')
  } else script = instr.args
  const shell = parseShell(script)
  const commands = [...shell.commands]
  let hasPipes = shell.hasPipes
  for (const cmd of shell.commands) {
    const name = cmd.base
    const doc = cmd.redirects.find((r) => r.heredoc)?.heredoc
    if (SHELLS.has(name) && doc && !cmd.args.some((a) => a.value === '-c')) {
      // `RUN bash <<EOF`: the heredoc is the script bash runs
      const inner = parseShell(doc.body, cmd.depth + 1)
      commands.push(...inner.commands)
      hasPipes ||= inner.hasPipes
    }
    if (isPythonCommand(cmd.name)) python.push(...pythonSources(cmd))
  }
  const info: RunInfo = {
    script,
    shell: { commands, hasPipes },
    commands,
    mounts,
    exec: json !== undefined,
    python
  }
  return info
}
export const runInfo: (instr: Instr) => RunInfo = memo(computeRunInfo)

/** Python code a python command runs inline: `-c CODE` or a heredoc on stdin. */
export function pythonSources(cmd: SimpleCommand): string[] {
  const out: string[] = []
  const c = cmd.args.findIndex((a) => a.value === '-c' || /^-[A-Za-z]*c$/.test(a.value))
  if (c >= 0 && cmd.args[c + 1]) out.push(cmd.args[c + 1].value)
  const doc = cmd.redirects.find((r) => r.heredoc)?.heredoc
  if (doc && c < 0) out.push(doc.body)
  return out
}

export function parseMount(value: string): Mount {
  const mount: Mount = { type: 'bind' }
  for (const part of value.split(',')) {
    const eq = part.indexOf('=')
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase()
    const v = eq < 0 ? '' : stripQuotes(part.slice(eq + 1).trim())
    if (key === 'type') mount.type = v
    else if (key === 'target' || key === 'dst' || key === 'destination') mount.target = v
    else if (key === 'source' || key === 'src') mount.source = v
    else if (key === 'from') mount.from = v
    else if (key === 'id') mount.id = v
  }
  return mount
}

// ---------------------------------------------------------------------------------------------
// ENV / ARG / LABEL

export interface EnvPair {
  key: string
  /** value with quotes removed */
  value: string
  /** value as written */
  raw: string
}

/** BuildKit's parseNameVal: `k=v k2="v 2"` pairs or the legacy `ENV key value` form. */
function computeEnvPairs(instr: Instr): EnvPair[] {
  const words = splitRawWords(instr.args)
  let pairs: EnvPair[]
  if (words.length > 0 && !words[0].includes('=')) {
    const key = words[0]
    const raw = instr.args.slice(instr.args.indexOf(key) + key.length).trim()
    pairs = [{ key, raw, value: unescapeValue(raw) }]
  } else {
    pairs = words.map((w) => {
      const eq = w.indexOf('=')
      const raw = eq < 0 ? '' : w.slice(eq + 1)
      return { key: eq < 0 ? w : w.slice(0, eq), raw, value: unescapeValue(raw) }
    })
  }
  return pairs
}
export const envPairs: (instr: Instr) => EnvPair[] = memo(computeEnvPairs)

function unescapeValue(raw: string): string {
  let out = ''
  let quote = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]
    if (quote === "'") {
      if (c === "'") quote = ''
      else out += c
    } else if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i]
    } else if (quote === '"') {
      if (c === '"') quote = ''
      else out += c
    } else if (c === '"' || c === "'") quote = c
    else out += c
  }
  return out
}

export interface ArgDecl {
  name: string
  value: string | undefined
}

function computeArgDecls(instr: Instr): ArgDecl[] {
  const decls = splitRawWords(instr.args).map((w) => {
    const eq = w.indexOf('=')
    return eq < 0
      ? { name: w, value: undefined }
      : { name: w.slice(0, eq), value: unescapeValue(w.slice(eq + 1)) }
  })
  return decls
}
export const argDecls: (instr: Instr) => ArgDecl[] = memo(computeArgDecls)

// ---------------------------------------------------------------------------------------------
// CMD / ENTRYPOINT / HEALTHCHECK / SHELL

export interface ExecForm {
  /** exec form array, if the arguments are a JSON array of strings */
  exec: string[] | undefined
  /** shell-form script (or the exec array joined with spaces) */
  script: string
}

function computeExecForm(instr: Instr): ExecForm {
  const exec = parseJsonArray(instr.args)
  const form = { exec, script: exec ? exec.join(' ') : instr.args }
  return form
}
export const execForm: (instr: Instr) => ExecForm = memo(computeExecForm)

export interface HealthInfo {
  none: boolean
  /** line of the HEALTHCHECK */
  line: number
  exec: string[] | undefined
  /** the command as a shell script; for exec form the array joined (without a `CMD-SHELL`) */
  script: string
  /** commands of the check: for exec form `["CMD-SHELL", s]` and `["sh","-c",s]` the inner script */
  commands: SimpleCommand[]
  python: string[]
}

function computeHealthInfo(instr: Instr): HealthInfo | undefined {
  const m = /^(NONE|CMD)\b[ \t]*/i.exec(instr.args)
  let info: HealthInfo | null = null
  if (m) {
    if (m[1].toUpperCase() === 'NONE')
      info = { none: true, line: instr.line, exec: undefined, script: '', commands: [], python: [] }
    else {
      const rest = instr.args.slice(m[0].length)
      const exec = parseJsonArray(rest)
      let script = rest
      if (exec) {
        if (exec[0] === 'CMD-SHELL') script = exec.slice(1).join(' ')
        else if (exec.length >= 3 && SHELLS.has(baseName(exec[0])) && exec[1] === '-c')
          script = exec.slice(2).join(' ')
        else
          script = exec
            .map((w) => (/[\s'"]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w))
            .join(' ')
      }
      const commands = parseShell(script).commands
      const python = commands.filter((c) => isPythonCommand(c.name)).flatMap(pythonSources)
      info = { none: false, line: instr.line, exec, script, commands, python }
    }
  }
  return info ?? undefined
}
export const healthInfo: (instr: Instr) => HealthInfo | undefined = memo(computeHealthInfo)

export function shellArray(instr: Instr): string[] {
  return parseJsonArray(instr.args) ?? []
}

// ---------------------------------------------------------------------------------------------
// COPY / ADD

export interface CopyInfo {
  sources: string[]
  dest: string
  from: string | undefined
  /** COPY <<EOF inline files: those sources are not context paths */
  heredocSources: Set<string>
}

function computeCopyInfo(instr: Instr): CopyInfo {
  const json = parseJsonArray(instr.args)
  const words = json ?? splitWords(instr.args)
  const heredocSources = new Set(instr.heredocs.map((h) => h.name))
  const sources = words.slice(0, -1).filter((w) => {
    const m = /^<<-?(.*)$/.exec(w)
    if (m) {
      heredocSources.add(m[1])
      return false
    }
    return true
  })
  const info = {
    sources,
    dest: words.length > 1 ? words[words.length - 1] : '',
    from: instrFlag(instr, 'from'),
    heredocSources
  }
  return info
}
export const copyInfo: (instr: Instr) => CopyInfo = memo(computeCopyInfo)

// ---------------------------------------------------------------------------------------------
// Stages

/** hadolint's root test: `root`, `0`, `root:*`, `0:*`. */
export function isRootUser(user: string): boolean {
  const u = user.trim()
  return u === 'root' || u === '0' || u.startsWith('root:') || u.startsWith('0:')
}
