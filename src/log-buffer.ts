import type { Annotation, Logger } from './log.js'

/**
 * A logger for a stage that runs beside another: it keeps the stage's lines and replays them,
 * in order, inside the stage's own group once it is done, so two stages' logs never interleave.
 * Secrets and redaction go straight to the parent, since masking must never wait.
 */
export class BufferedLogger implements Logger {
  private readonly lines: ((log: Logger) => void)[] = []
  constructor(private readonly parent: Logger) {}
  info(message: string): void {
    this.lines.push((l) => l.info(message))
  }
  warning(message: string): void {
    this.lines.push((l) => l.warning(message))
  }
  error(message: string): void {
    this.lines.push((l) => l.error(message))
  }
  debug(message: string): void {
    this.lines.push((l) => l.debug(message))
  }
  annotate(a: Annotation): void {
    this.lines.push((l) => l.annotate(a))
  }
  group<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn()
  }
  secret(value: string): void {
    this.parent.secret(value)
  }
  redact(text: string): string {
    return this.parent.redact(text)
  }
  /** Replays everything into `log` and forgets it. */
  flush(log: Logger = this.parent): void {
    for (const line of this.lines.splice(0)) line(log)
  }
}

/**
 * A logger whose destination can change while a child process is still writing to it: the build
 * streams live until the image exists, then its last phase (the cache export) goes to a buffer so
 * it does not interleave with the gates that start beside it.
 */
export class SwitchableLogger implements Logger {
  constructor(public target: Logger) {}
  info(message: string): void {
    this.target.info(message)
  }
  warning(message: string): void {
    this.target.warning(message)
  }
  error(message: string): void {
    this.target.error(message)
  }
  debug(message: string): void {
    this.target.debug(message)
  }
  annotate(a: Annotation): void {
    this.target.annotate(a)
  }
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.target.group(name, fn)
  }
  secret(value: string): void {
    this.target.secret(value)
  }
  redact(text: string): string {
    return this.target.redact(text)
  }
}
