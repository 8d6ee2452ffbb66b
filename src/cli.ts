#!/usr/bin/env node
import { cleanup } from './cleanup.js'
import { envInputSource, layeredSource, parseConfig, type InputSource } from './config.js'
import { isUserError, UserError } from './errors.js'
import { INPUTS } from './inputs.js'
import { lintCommand } from './lint/index.js'
import { ConsoleLogger } from './log.js'
import { metaCommand } from './meta/index.js'
import { runPipeline, type CleanupState } from './pipeline.js'
import { summaryText } from './report/summary.js'

export interface Io {
  stdout: (s: string) => void
  stderr: (s: string) => void
}

const USAGE = `Usage: ml-docker <command> [options]

Commands:
  run [CONTEXT]     lint, tag, build, smoke-test, scan and (when allowed) push
  lint FILE...      lint Dockerfiles and their build contexts
  meta              print the tags and labels computed from the git context

Every action input is a flag of "run": --images, --tags, --push, --registry, --username,
--password-stdin (reads the password from standard input), --smoke-timeout, --scan-severity, ...
List values may be repeated (--tags a --tags b). Boolean inputs take --x / --no-x.
INPUT_<NAME> environment variables (as in a workflow step) are used when no flag is given, so a
workflow step can be replayed locally. Outside GitHub Actions the git context is the local repository.

Run "ml-docker <command> --help" for a command's own options.`

const BOOLEAN_INPUTS = new Set(
  INPUTS.filter((i) => i.default === 'true' || i.default === 'false').map((i) => i.name)
)
const KNOWN = new Set(INPUTS.map((i) => i.name))

export interface ParsedRunArgs {
  values: Record<string, string>
  passwordStdin: boolean
  verbose: boolean
  help: boolean
}

/** Maps `run` flags onto action input names. Pure; unit-tested. */
export function parseRunArgs(argv: string[]): ParsedRunArgs {
  const values: Record<string, string> = {}
  const out: ParsedRunArgs = { values, passwordStdin: false, verbose: false, help: false }
  const add = (name: string, value: string): void => {
    values[name] =
      values[name] !== undefined && !BOOLEAN_INPUTS.has(name) ? `${values[name]}\n${value}` : value
  }
  const positional: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h' || arg === '--help') {
      out.help = true
      continue
    }
    if (arg === '--verbose' || arg === '-v') {
      out.verbose = true
      continue
    }
    if (arg === '--password-stdin') {
      out.passwordStdin = true
      continue
    }
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    let name = eq > 0 ? arg.slice(2, eq) : arg.slice(2)
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined
    if (
      value === undefined &&
      name.startsWith('no-') &&
      (BOOLEAN_INPUTS.has(name.slice(3)) || name === 'no-push')
    ) {
      name = name.slice(3)
      value = 'false'
    }
    if (name === 'password') {
      throw new UserError(
        'Pass the password with --password-stdin (or INPUT_PASSWORD), never as a flag: flags end up in shell history and process lists.'
      )
    }
    if (!KNOWN.has(name))
      throw new UserError(`Unknown option --${name}. Run "ml-docker run --help" for the list.`)
    if (value === undefined) {
      if (BOOLEAN_INPUTS.has(name) || name === 'push') value = 'true'
      else {
        value = argv[++i]
        if (value === undefined) throw new UserError(`Option --${name} needs a value.`)
      }
    }
    add(name, value)
  }
  if (positional.length > 1)
    throw new UserError(`run takes one CONTEXT directory, got: ${positional.join(' ')}`)
  if (positional.length === 1 && values.context === undefined) values.context = positional[0]
  return out
}

function runHelp(): string {
  const lines = [
    'Usage: ml-docker run [CONTEXT] [options]',
    '',
    'Options (defaults as in action.yml):'
  ]
  for (const i of INPUTS) {
    if (i.name === 'password') {
      lines.push('  --password-stdin            read the registry password from standard input')
      continue
    }
    const def = i.cliDefault ?? i.default
    lines.push(
      `  --${i.name.padEnd(26)}${i.description.split('. ')[0].replace(/\.$/, '')}${def && !def.includes('\n') ? ` [${def}]` : ''}`
    )
  }
  lines.push('  --verbose                   print debug output')
  return lines.join('\n')
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

export async function runCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env
): Promise<number> {
  const args = parseRunArgs(argv)
  if (args.help) {
    io.stdout(runHelp())
    return 0
  }
  const log = new ConsoleLogger(io.stdout, io.stderr, args.verbose)
  if (args.passwordStdin) args.values.password = await readStdin()
  const flags: InputSource = (name) => args.values[name]
  const cfg = parseConfig(layeredSource(flags, envInputSource(env)), {
    cwd: process.cwd(),
    cli: true,
    setSecret: (v) => log.secret(v)
  })
  let state: CleanupState = { containers: [] }
  const stop = (): void => {
    void cleanup(state, log).finally(() => process.exit(130))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const result = await runPipeline(cfg, {
      log,
      env,
      cwd: process.cwd(),
      saveCleanup: (s) => (state = s)
    })
    state = result.cleanup
    io.stdout(log.redact(summaryText(result)))
    return result.ok ? 0 : 1
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
    await cleanup(state, log)
  }
}

export async function cli(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env
): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io, env)
      case 'lint':
        return await lintCommand(rest, io)
      case 'meta':
        return await metaCommand(rest, io, env)
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE)
        return command === undefined ? 2 : 0
      default:
        io.stderr(`ml-docker: unknown command "${command}"\n\n${USAGE}`)
        return 2
    }
  } catch (e) {
    if (isUserError(e)) {
      io.stderr(`ml-docker: ${e.message}`)
      return 2
    }
    io.stderr(`ml-docker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return 1
  }
}

const io: Io = {
  stdout: (s) => process.stdout.write(s + '\n'),
  stderr: (s) => process.stderr.write(s + '\n')
}
// Only when executed, not when imported by tests.
if (process.argv[1] && /(?:cli\.[jt]s|cli[\\/]index\.js|ml-docker)$/.test(process.argv[1])) {
  process.exitCode = await cli(process.argv.slice(2), io)
}
