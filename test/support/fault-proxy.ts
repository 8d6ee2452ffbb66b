import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ProxiedRequest {
  method: string
  path: string
}

/** What the proxy does instead of forwarding one matching request. */
export interface ProxyFault {
  match: (req: ProxiedRequest) => boolean
  /** Answer with this status (and headers) instead of forwarding. */
  status?: number
  headers?: Record<string, string>
  /** Read part of the request body, then drop the connection (a reset mid-upload). */
  resetAfterBytes?: number
  /** How many matching requests it applies to (default 1; Infinity for a persistent fault). */
  times?: number
}

/**
 * An HTTP proxy on loopback in front of a registry, injecting faults into chosen requests:
 * transient 5xx, 429 with Retry-After, connection resets mid-upload, persistent failures, 401.
 * Location headers are rewritten so upload sessions keep going through the proxy.
 */
export class FaultProxy {
  faults: ProxyFault[] = []
  readonly log: (ProxiedRequest & { fault?: string; status?: number })[] = []
  private server?: http.Server
  host = ''

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res))
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((r) => this.server?.close(() => r()))
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const rec: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '/' }
    const fault = this.faults.find((f) => f.match(rec))
    if (fault) {
      fault.times = (fault.times ?? 1) - 1
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1)
      if (fault.resetAfterBytes !== undefined) {
        let seen = 0
        this.log.push({ ...rec, fault: 'reset' })
        req.on('data', (c: Buffer) => {
          seen += c.length
          if (seen >= fault.resetAfterBytes!) req.socket.destroy()
        })
        req.on('end', () => req.socket.destroy())
        return
      }
      this.log.push({ ...rec, fault: String(fault.status), status: fault.status })
      req.resume()
      res.writeHead(fault.status ?? 503, fault.headers ?? {}).end()
      return
    }
    const up = http.request(
      `http://${this.upstream}${rec.path}`,
      { method: rec.method, headers: { ...req.headers, host: this.upstream } },
      (upRes) => {
        const headers = { ...upRes.headers }
        if (typeof headers.location === 'string') {
          headers.location = headers.location.replace(`//${this.upstream}`, `//${this.host}`)
        }
        this.log.push({ ...rec, status: upRes.statusCode })
        res.writeHead(upRes.statusCode ?? 502, headers)
        upRes.pipe(res)
      }
    )
    up.on('error', () => res.destroy())
    req.pipe(up)
  }
}
