import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import type { Logger } from './log.js'

export interface RunOptions {
  /** Written to the child's stdin, then closed (used for --password-stdin). */
  input?: string
  /** Streamed into the child's stdin (a tarball for `docker load`); wins over `input`. */
  stdin?: AsyncIterable<Buffer>
  /** Added to the inherited environment. */
  env?: Record<string, string | undefined>
  /** The child's whole environment: nothing is inherited (for tools that must not see credentials). */
  exactEnv?: Record<string, string>
  /** Print each output line through the logger as it arrives. */
  stream?: boolean
  /** Do not print the command line (it is always redacted anyway). */
  quiet?: boolean
  /** Kill the child after this many milliseconds. */
  timeoutMs?: number
  cwd?: string
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  /** stdout and stderr interleaved in arrival order, for error messages and output assertions. */
  output: string
  timedOut: boolean
}

/** Quotes an argv for display only. */
export function displayCommand(bin: string, args: string[]): string {
  return [bin, ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ')
}

/**
 * Runs a program without a shell. Output is captured, and optionally streamed line by line
 * through the logger, so secret redaction applies to everything a tool prints.
 */
export function run(
  log: Logger,
  bin: string,
  args: string[],
  opts: RunOptions = {}
): Promise<RunResult> {
  if (!opts.quiet) log.info(`$ ${displayCommand(bin, args)}`)
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd,
      env: opts.exactEnv ?? { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    let output = ''
    let timedOut = false
    const pending: Record<'out' | 'err', string> = { out: '', err: '' }
    const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      if (which === 'out') stdout += text
      else stderr += text
      output += text
      if (opts.stream) {
        pending[which] += text
        const lines = pending[which].split('\n')
        pending[which] = lines.pop() ?? ''
        for (const line of lines) log.info(line)
      }
    }
    child.stdout.on('data', onData('out'))
    child.stderr.on('data', onData('err'))
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true
            child.kill('SIGKILL')
          }, opts.timeoutMs)
        : undefined
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer)
      if (err.code === 'ENOENT') {
        reject(new Error(`${bin} was not found on PATH`))
      } else reject(err)
    })
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      if (opts.stream) {
        for (const rest of [pending.out, pending.err]) if (rest) log.info(rest)
      }
      resolve({ code: code ?? 1, stdout, stderr, output, timedOut })
    })
    child.stdin.on('error', () => undefined)
    if (opts.stdin) {
      // A source that fails part-way cuts the child's input short, so the child fails too.
      const source = Readable.from(opts.stdin)
      source.on('error', () => child.stdin.destroy())
      source.pipe(child.stdin)
    } else if (opts.input !== undefined) child.stdin.end(opts.input)
    else child.stdin.end()
  })
}

/** A long-lived child whose stdout the caller reads as it arrives (event streams, `docker save`). */
export interface Spawned {
  /** The child's stdout, unread: iterate it, or use `lines`. */
  stdout: NodeJS.ReadableStream
  /** Resolves when the child has exited, with its stderr (redacted by the caller if printed). */
  done: Promise<{ code: number; stderr: string }>
  /**
   * Ends the child at once (SIGKILL: these are read-only streams, and the docker CLI can outlive a
   * SIGTERM while its stream is open); safe to call more than once or after it exited.
   */
  stop(): void
}

export function spawnStream(
  log: Logger,
  bin: string,
  args: string[],
  opts: Pick<RunOptions, 'env' | 'quiet' | 'cwd'> = {}
): Spawned {
  if (!opts.quiet) log.info(`$ ${displayCommand(bin, args)}`)
  const child = spawn(bin, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
  const done = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({
        code: 127,
        stderr: err.code === 'ENOENT' ? `${bin} was not found on PATH` : err.message
      })
    )
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }))
  })
  return {
    stdout: child.stdout,
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }
}

/** Calls `onLine` for each complete line of a stream, as it arrives. */
export function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = ''
  stream.on('data', (chunk: Buffer | string) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  })
  stream.on('end', () => {
    if (pending) onLine(pending)
  })
}
