/**
 * The Engine's event stream, read as `docker events --format '{{json .}}'` prints it. A verdict is
 * taken the moment the deciding event arrives, not at the next poll.
 */

export interface DockerEvent {
  Type: string
  Action: string
  Actor: { ID: string; Attributes?: Record<string, string> }
  time?: number
  timeNano?: number
}

export type EventKind = 'start' | 'healthy' | 'unhealthy' | 'die' | 'oom' | 'other'

export interface ContainerEvent {
  /** The container name (without the leading `/`). */
  name: string
  id: string
  kind: EventKind
  exitCode?: number
  /** When the Engine emitted it, in ms since the epoch. */
  at: number
  /** When this process read it, in ms since the epoch. */
  received: number
}

/** The `--filter` flags: only the events that decide something (health probes emit exec events too). */
export const EVENT_FILTERS = ['start', 'die', 'oom', 'health_status'].flatMap((e) => [
  '--filter',
  `event=${e}`
])

export function parseEvent(line: string, received = Date.now()): ContainerEvent | undefined {
  const text = line.trim()
  if (!text.startsWith('{')) return undefined
  let ev: DockerEvent
  try {
    ev = JSON.parse(text) as DockerEvent
  } catch {
    return undefined
  }
  if (ev.Type !== 'container' || !ev.Actor?.ID) return undefined
  const attrs = ev.Actor.Attributes ?? {}
  const action = ev.Action ?? ''
  let kind: EventKind = 'other'
  if (action === 'start') kind = 'start'
  else if (action === 'die') kind = 'die'
  else if (action === 'oom') kind = 'oom'
  else if (/^health_status:\s*healthy$/.test(action)) kind = 'healthy'
  else if (/^health_status:\s*unhealthy$/.test(action)) kind = 'unhealthy'
  const at = ev.timeNano ? ev.timeNano / 1e6 : (ev.time ?? 0) * 1000
  const out: ContainerEvent = {
    name: (attrs.name ?? '').replace(/^\//, ''),
    id: ev.Actor.ID,
    kind,
    at,
    received
  }
  if (kind === 'die' && attrs.exitCode !== undefined) out.exitCode = Number(attrs.exitCode)
  return out
}

type Waiter = {
  name: string
  kinds: EventKind[]
  resolve: (ev: ContainerEvent | undefined) => void
  timer?: NodeJS.Timeout
}

/**
 * Collects the events of one run's containers and wakes whoever waits for one. Events that arrive
 * before anyone waits are kept, so nothing is lost between `docker run` returning and the wait.
 */
export class EventLog {
  readonly events: ContainerEvent[] = []
  private waiters: Waiter[] = []
  private closed = false

  push(ev: ContainerEvent): void {
    this.events.push(ev)
    for (const w of [...this.waiters]) {
      if (w.name === ev.name && w.kinds.includes(ev.kind)) this.settle(w, ev)
    }
  }

  /** The first event of `kinds` for `name` (already seen or still to come); undefined on timeout or close. */
  next(name: string, kinds: EventKind[], timeoutMs: number): Promise<ContainerEvent | undefined> {
    const seen = this.events.find((e) => e.name === name && kinds.includes(e.kind))
    if (seen) return Promise.resolve(seen)
    if (this.closed) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const w: Waiter = { name, kinds, resolve }
      w.timer = setTimeout(() => this.settle(w, undefined), Math.max(0, timeoutMs))
      this.waiters.push(w)
    })
  }

  /** True when the container had an OOM kill (its main process or any other). */
  oomKilled(name: string): boolean {
    return this.events.some((e) => e.name === name && e.kind === 'oom')
  }

  /** Wakes every waiter with undefined: the stream ended. */
  close(): void {
    this.closed = true
    for (const w of [...this.waiters]) this.settle(w, undefined)
  }

  private settle(w: Waiter, ev: ContainerEvent | undefined): void {
    if (w.timer) clearTimeout(w.timer)
    this.waiters = this.waiters.filter((x) => x !== w)
    w.resolve(ev)
  }
}
