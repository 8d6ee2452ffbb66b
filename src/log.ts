import * as core from '@actions/core'
import { PREFIX } from './args.js'

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface Annotation {
  level: AnnotationLevel
  message: string
  title?: string
  file?: string
  line?: number
  endLine?: number
  column?: number
}

/**
 * Where the pipeline talks to a person. Two implementations: the action's (GitHub workflow
 * commands, runner-side masking) and the CLI's (plain text, masking done here). Every line a
 * stage prints, including docker's own output, goes through one of these.
 */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  error(message: string): void
  debug(message: string): void
  annotate(a: Annotation): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** Registers a value that must never be printed. */
  secret(value: string): void
  /** Replaces registered secrets in text that leaves the process another way (files, summaries). */
  redact(text: string): string
}

/** Values that must never be printed, and the replacement of each in outgoing text. */
export class Redactor {
  private readonly secrets = new Set<string>()
  add(value: string): void {
    if (!value) return
    this.secrets.add(value)
    // Also the forms a value takes when it is encoded by tools that print it.
    if (value.length >= 4) this.secrets.add(Buffer.from(value).toString('base64'))
  }
  redact(text: string): string {
    let out = text
    // Longest first, so that a secret containing another one leaves nothing of itself behind.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length))
      out = out.split(s).join('***')
    return out
  }
}

/** An Io whose every line passes through the redactor first. */
export function redactingIo<T extends { stdout: (s: string) => void; stderr: (s: string) => void }>(
  io: T,
  redactor: Redactor
): T {
  return {
    ...io,
    stdout: (s: string) => io.stdout(redactor.redact(s)),
    stderr: (s: string) => io.stderr(redactor.redact(s))
  }
}

abstract class RedactingLogger implements Logger {
  constructor(protected readonly redactor: Redactor = new Redactor()) {}
  secret(value: string): void {
    this.redactor.add(value)
  }
  redact(text: string): string {
    return this.redactor.redact(text)
  }
  abstract info(message: string): void
  abstract warning(message: string): void
  abstract error(message: string): void
  abstract debug(message: string): void
  abstract annotate(a: Annotation): void
  abstract group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

export class ActionsLogger extends RedactingLogger {
  override secret(value: string): void {
    if (!value) return
    core.setSecret(value)
    super.secret(value)
  }
  info(message: string): void {
    core.info(this.redact(message))
  }
  warning(message: string): void {
    core.warning(this.redact(message))
  }
  error(message: string): void {
    core.error(this.redact(message))
  }
  debug(message: string): void {
    core.debug(this.redact(message))
  }
  annotate(a: Annotation): void {
    const props: core.AnnotationProperties = {
      title: a.title,
      file: a.file,
      startLine: a.line,
      endLine: a.endLine,
      startColumn: a.column
    }
    const msg = this.redact(a.message)
    if (a.level === 'error') core.error(msg, props)
    else if (a.level === 'warning') core.warning(msg, props)
    else core.notice(msg, props)
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(name, fn)
  }
}

/** The CLI's logger: plain lines, diagnostics on stderr prefixed `ml-docker: `, masking done here. */
export class ConsoleLogger extends RedactingLogger {
  constructor(
    private readonly out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
    private readonly err: (s: string) => void = (s) => process.stderr.write(s + '\n'),
    private readonly verbose = false,
    redactor?: Redactor
  ) {
    super(redactor)
  }
  info(message: string): void {
    this.out(this.redact(message))
  }
  warning(message: string): void {
    this.err(`${PREFIX}warning: ${this.redact(message)}`)
  }
  error(message: string): void {
    this.err(`${PREFIX}error: ${this.redact(message)}`)
  }
  debug(message: string): void {
    if (this.verbose) this.err(`${PREFIX}debug: ${this.redact(message)}`)
  }
  annotate(a: Annotation): void {
    const where = a.file ? `${a.file}${a.line ? `:${a.line}` : ''}: ` : ''
    const title = a.title ? `${a.title} ` : ''
    this.err(`${where}${a.level}: ${title}${this.redact(a.message)}`)
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.out(`\n== ${name}`)
    return fn()
  }
}
