/**
 * The one argument parser of the `ml-docker` commands, on node:util parseArgs (strict), and the
 * one place that turns errors into messages and exit codes:
 *   0 success, 1 a gate failed (findings, a failed smoke test or scan), 2 usage or user error.
 * Every error line starts with `ml-docker: `.
 */
import { parseArgs } from 'node:util'
import { isUserError, UserError } from './errors.js'

export const PREFIX = 'ml-docker: '
export const EXIT_OK = 0
export const EXIT_GATE = 1
export const EXIT_USAGE = 2

export interface Io {
  stdout: (s: string) => void
  stderr: (s: string) => void
}

export interface OptionSpec {
  /**
   * `string` takes a value (`--x v`, `--x=v`); `flag` takes none; `switch` is a boolean-like input
   * with an optional value: `--x` (true), `--no-x` (false), `--x=v`, or `--x v` when v is a bare
   * word (letters and digits), so that `--push sometimes` is read as a value and refused by name.
   */
  kind: 'string' | 'flag' | 'switch'
  short?: string
  /** string options only: may be repeated (the values are kept in order). */
  multiple?: boolean
}

export interface CommandSpec {
  /** The command's name in messages: `run`, `lint`, `meta`. */
  command: string
  options: Record<string, OptionSpec>
  /** How many positional arguments the command takes (Infinity: any number). */
  maxPositionals: number
  /** What the positionals are, for the message when there are too many. */
  positionalName?: string
}

export interface ParsedCommand {
  strings: Record<string, string[]>
  flags: Set<string>
  switches: Record<string, string>
  positionals: string[]
}

const BARE_WORD = /^[A-Za-z0-9]+$/

/** Rewrites switches into `--x=value` so that parseArgs sees plain string options. */
function normalizeSwitches(spec: CommandSpec, argv: string[]): string[] {
  const isSwitch = (name: string): boolean => spec.options[name]?.kind === 'switch'
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    const m = /^--([^=]+)$/.exec(arg)
    if (m && m[1].startsWith('no-') && isSwitch(m[1].slice(3))) out.push(`--${m[1].slice(3)}=false`)
    else if (m && isSwitch(m[1])) {
      const next = argv[i + 1]
      if (next !== undefined && BARE_WORD.test(next)) {
        out.push(`--${m[1]}=${next}`)
        i++
      } else out.push(`--${m[1]}=true`)
    } else out.push(arg)
  }
  return out
}

function usageError(spec: CommandSpec, e: Error & { code?: string }): UserError {
  const help = `run "ml-docker ${spec.command} --help" for the options`
  // node quotes the option as '--name', '-n', '-n, --name' or '--name <value>'.
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? ''
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? /-\w/.exec(quoted)?.[0] ?? quoted
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UserError(`unknown option ${option} for "ml-docker ${spec.command}"; ${help}`)
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(e.message))
        return new UserError(`option ${option} takes no value; ${help}`)
      if (/ambiguous/.test(e.message))
        return new UserError(
          `option ${option} needs a value; write ${option}=VALUE for a value that starts with "-"`
        )
      return new UserError(`option ${option} needs a value`)
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UserError(`"ml-docker ${spec.command}" takes no arguments, only options; ${help}`)
    default:
      return new UserError(`${e.message}; ${help}`)
  }
}

/** Parses a command's arguments; every mistake is a UserError naming the option. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
  > = {}
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = {
      type: o.kind === 'flag' ? 'boolean' : 'string',
      ...(o.short ? { short: o.short } : {}),
      ...(o.kind === 'string' && o.multiple ? { multiple: true } : {})
    }
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: normalizeSwitches(spec, argv),
      options,
      strict: true,
      allowPositionals: spec.maxPositionals > 0
    })
  } catch (e) {
    // Duck-typed: node's errors may come from another realm (test runners), where instanceof fails.
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))
      throw usageError(spec, e as Error & { code: string })
    throw e
  }
  const out: ParsedCommand = { strings: {}, flags: new Set(), switches: {}, positionals: [] }
  for (const [name, value] of Object.entries(parsed.values)) {
    const kind = spec.options[name].kind
    if (kind === 'flag') {
      if (value === true) out.flags.add(name)
    } else if (kind === 'switch') out.switches[name] = String(value)
    else out.strings[name] = Array.isArray(value) ? value.map(String) : [String(value)]
  }
  out.positionals = parsed.positionals
  if (out.positionals.length > spec.maxPositionals) {
    throw new UserError(
      `"ml-docker ${spec.command}" takes at most ${spec.maxPositionals} ${spec.positionalName ?? 'argument'}, ` +
        `got ${out.positionals.length}; options start with "--"`
    )
  }
  return out
}

/**
 * Runs a command body and maps the outcome to an exit code: a UserError is one line on stderr
 * and exit 2; anything else is a bug, printed with its stack, exit 1.
 */
export async function guarded(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (e) {
    if (isUserError(e)) {
      io.stderr(`${PREFIX}${e.message}`)
      return EXIT_USAGE
    }
    const bug = e as { stack?: string } | undefined
    io.stderr(`${PREFIX}${bug?.stack ?? String(e)}`)
    return EXIT_GATE
  }
}
