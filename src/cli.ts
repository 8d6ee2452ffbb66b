#!/usr/bin/env node
import { cleanup } from './cleanup.js'
import { envInputSource, layeredSource, parseConfig, type InputSource } from './config.js'
import {
  EXIT_GATE,
  EXIT_OK,
  EXIT_USAGE,
  guarded,
  parseCommand,
  PREFIX,
  type CommandSpec,
  type Io,
  type OptionSpec
} from './args.js'
import { UserError } from './errors.js'
import { INPUTS } from './inputs.js'
import { lintCommand } from './lint/index.js'
import { ConsoleLogger, Redactor, redactingIo } from './log.js'
import { metaCommand } from './meta/index.js'
import { runPipeline, type CleanupState } from './pipeline.js'
import { summaryText } from './report/summary.js'

export type { Io }

const USAGE = `Usage: ml-docker <command> [options]

Commands:
  run [CONTEXT]     lint, tag, build, smoke-test, scan and (when allowed) push
  lint FILE...      lint Dockerfiles and their build contexts
  meta              print the tags and labels computed from the git context

Every action input is a flag of "run": --images, --tags, --push, --registry, --username,
--password-stdin (reads the password from standard input), --smoke-timeout, --scan-severity, ...
List values may be repeated (--tags a --tags b). On/off inputs (--push, --lint, --smoke, --scan,
...) take --x, --no-x, --x=VALUE or --x VALUE.
INPUT_<NAME> environment variables (as in a workflow step) are used when no flag is given, so a
workflow step can be replayed locally. Outside GitHub Actions the git context is the local repository.

Run "ml-docker <command> --help" for a command's own options.
Exit codes: 0 success, 1 a gate failed (lint findings, smoke test, scan), 2 usage or input error.`

/** Inputs that are on/off (or auto/true/false): `--x`, `--no-x`, `--x=value`. */
const SWITCH_INPUTS = new Set([
  'push',
  ...INPUTS.filter((i) => i.default === 'true' || i.default === 'false').map((i) => i.name)
])

/** `run`'s options: one per action input, plus the CLI's own. Driven by src/inputs.ts. */
export const RUN_SPEC: CommandSpec = {
  command: 'run',
  maxPositionals: 1,
  positionalName: 'CONTEXT directory',
  options: {
    ...Object.fromEntries(
      INPUTS.map((i): [string, OptionSpec] => [
        i.name,
        SWITCH_INPUTS.has(i.name) ? { kind: 'switch' } : { kind: 'string', multiple: true }
      ])
    ),
    'password-stdin': { kind: 'flag' },
    verbose: { kind: 'flag', short: 'v' },
    help: { kind: 'flag', short: 'h' }
  }
}

export interface ParsedRunArgs {
  values: Record<string, string>
  passwordStdin: boolean
  verbose: boolean
  help: boolean
}

/** Maps `run` flags onto action input names. Pure; unit-tested. */
export function parseRunArgs(argv: string[]): ParsedRunArgs {
  const parsed = parseCommand(RUN_SPEC, argv)
  if (parsed.strings.password !== undefined) {
    throw new UserError(
      'Pass the password with --password-stdin (or INPUT_PASSWORD), never as a flag: flags end up in shell history and process lists.'
    )
  }
  if (parsed.strings['registry-auth'] !== undefined) {
    throw new UserError(
      'Pass "registry-auth" in the environment (env "INPUT_REGISTRY-AUTH=registry=...,username=...,password=..." ml-docker run ...), never as a flag: flags end up in shell history and process lists.'
    )
  }
  const values: Record<string, string> = { ...parsed.switches }
  // A repeated option adds lines, as a multi-line input does.
  for (const [name, list] of Object.entries(parsed.strings)) values[name] = list.join('\n')
  if (parsed.positionals.length === 1 && values.context === undefined)
    values.context = parsed.positionals[0]
  return {
    values,
    passwordStdin: parsed.flags.has('password-stdin'),
    verbose: parsed.flags.has('verbose'),
    help: parsed.flags.has('help')
  }
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
    // A credential: read from INPUT_REGISTRY-AUTH only.
    if (i.name === 'registry-auth') continue
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

/**
 * `ml-docker run`. Exit code 0 when every enabled gate passed, 1 when one failed, 2 on a user
 * error. Every line it writes passes through the redactor, which knows each credential before
 * any input is parsed.
 */
export async function runCommand(
  argv: string[],
  rawIo: Io,
  env: NodeJS.ProcessEnv = process.env,
  redactor: Redactor = new Redactor()
): Promise<number> {
  const io = redactingIo(rawIo, redactor)
  return guarded(io, async () => {
    const args = parseRunArgs(argv)
    if (args.help) {
      io.stdout(runHelp())
      return EXIT_OK
    }
    const log = new ConsoleLogger(io.stdout, io.stderr, args.verbose, redactor)
    if (args.passwordStdin) args.values.password = await readStdin()
    const flags: InputSource = (name) => args.values[name]
    const cfg = parseConfig(layeredSource(flags, envInputSource(env)), {
      cwd: process.cwd(),
      cli: true,
      env,
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
      io.stdout(summaryText(result))
      if (result.ok) return EXIT_OK
      if (result.userError) {
        io.stderr(`${PREFIX}${result.error ?? 'invalid input'}`)
        return EXIT_USAGE
      }
      return EXIT_GATE
    } finally {
      process.removeListener('SIGINT', stop)
      process.removeListener('SIGTERM', stop)
      await cleanup(state, log)
    }
  })
}

export async function cli(
  argv: string[],
  rawIo: Io,
  env: NodeJS.ProcessEnv = process.env
): Promise<number> {
  const [command, ...rest] = argv
  // One redactor for the whole invocation: whatever a command registers is masked everywhere.
  const redactor = new Redactor()
  const io = redactingIo(rawIo, redactor)
  return guarded(io, async () => {
    switch (command) {
      case 'run':
        return runCommand(rest, io, env, redactor)
      case 'lint':
        return lintCommand(rest, io)
      case 'meta':
        return metaCommand(rest, io, env, redactor)
      case undefined:
        io.stderr(`${PREFIX}no command given\n\n${USAGE}`)
        return EXIT_USAGE
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE)
        return EXIT_OK
      default:
        throw new UserError(`unknown command "${command}"; the commands are run, lint and meta`)
    }
  })
}

const io: Io = {
  stdout: (s) => process.stdout.write(s + '\n'),
  stderr: (s) => process.stderr.write(s + '\n')
}
// Only when executed, not when imported by tests.
if (process.argv[1] && /(?:cli\.[jt]s|cli[\\/]index\.js|ml-docker)$/.test(process.argv[1])) {
  process.exitCode = await cli(process.argv.slice(2), io)
}
