import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  authorization?: string
}

/** A fault the test wants for the next matching request (consumed once unless `times` says more). */
export interface Fault {
  match: (req: RecordedRequest) => boolean
  status: number
  headers?: Record<string, string>
  /** Drop the connection instead of answering. */
  reset?: boolean
  times?: number
}

/**
 * An in-memory OCI distribution registry on loopback: blobs, manifests by digest and tag, mounts,
 * Basic or Bearer-token auth, and injected faults. Enough for the push client's unit tests.
 */
export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>() // "repo@digest"
  readonly manifests = new Map<string, { type: string; bytes: Buffer }>() // "repo@digest"
  readonly tags = new Map<string, string>() // "repo:tag" -> digest
  readonly requests: RecordedRequest[] = []
  /** Bearer mode: the scopes of each token request, in order. */
  readonly tokenRequests: string[][] = []
  /** Order in which tags were put: "repo:tag". */
  readonly tagWrites: string[] = []
  faults: Fault[] = []
  private server?: http.Server
  host = ''

  constructor(
    readonly auth:
      { mode: 'none' } | { mode: 'basic' | 'bearer'; username: string; password: string } = {
      mode: 'none'
    },
    /**
     * Bearer mode, a mount whose token lacks pull on the source: true answers as some registries
     * do (start an upload instead, 202), false as distribution does (401 naming both scopes).
     */
    readonly quietMountFallback = false
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((r) => this.server?.close(() => r()))
  }

  private authorized(h?: string): boolean {
    const a = this.auth
    if (a.mode === 'none') return true
    const basic = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`
    return a.mode === 'basic' ? h === basic : this.tokenScopes(h) !== undefined
  }

  /** Bearer tokens here are `token-for-test.<base64url of the granted scopes>`. */
  private tokenScopes(h?: string): string[] | undefined {
    const m = /^Bearer token-for-test\.(.*)$/.exec(h ?? '')
    return m ? (JSON.parse(Buffer.from(m[1], 'base64url').toString()) as string[]) : undefined
  }

  /**
   * What a request needs, as distribution 2.8 decides: pull to read, pull+push to write, and pull
   * on the source repository of a mount.
   */
  private needs(method: string, url: URL): string[] {
    const m = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(url.pathname)
    if (!m) return []
    const write = method === 'POST' || method === 'PUT' || method === 'PATCH'
    const out = [`repository:${m[1]}:${write ? 'pull,push' : 'pull'}`]
    const from = url.searchParams.get('from')
    if (method === 'POST' && url.searchParams.get('mount') && from)
      out.push(`repository:${from}:pull`)
    return out
  }

  private granted(scopes: string[], need: string): boolean {
    const [, name, actions] = /^repository:(.+):([^:]+)$/.exec(need) ?? []
    return actions.split(',').every((act) =>
      scopes.some((s) => {
        const g = /^repository:(.+):([^:]+)$/.exec(s)
        return g?.[1] === name && g[2].split(',').includes(act)
      })
    )
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`)
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorization: req.headers.authorization
    }
    this.requests.push(rec)
    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks)))
      req.on('error', reject)
    }).catch(() => Buffer.alloc(0))
    const fault = this.faults.find((f) => f.match(rec))
    if (fault) {
      if (fault.times === undefined || --fault.times <= 0)
        this.faults.splice(this.faults.indexOf(fault), 1)
      if (fault.reset) {
        req.socket.destroy()
        return
      }
      res.writeHead(fault.status, fault.headers ?? {}).end()
      return
    }
    if (url.pathname === '/token') {
      const a = this.auth
      const ok =
        a.mode === 'bearer' &&
        req.headers.authorization ===
          `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`
      if (!ok) return void res.writeHead(401).end()
      const scopes = url.searchParams.getAll('scope').flatMap((x) => x.split(' '))
      this.tokenRequests.push(scopes)
      const token = `token-for-test.${Buffer.from(JSON.stringify(scopes)).toString('base64url')}`
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }))
      return
    }
    let need = this.needs(rec.method, url)
    const scopes = this.tokenScopes(req.headers.authorization)
    if (this.quietMountFallback && scopes && need.length > 1 && !this.granted(scopes, need[1])) {
      need = need.slice(0, 1)
      url.searchParams.delete('mount')
    }
    const short =
      this.auth.mode === 'bearer' && scopes && need.some((n) => !this.granted(scopes, n))
    if (!this.authorized(req.headers.authorization) || short) {
      const challenge =
        this.auth.mode === 'bearer'
          ? `Bearer realm="http://${this.host}/token",service="fake",scope="${need.join(' ')}"` +
            (short ? ',error="insufficient_scope"' : '')
          : 'Basic realm="fake"'
      res.writeHead(401, { 'www-authenticate': challenge }).end()
      return
    }
    const m =
      /^\/v2\/(.+?)\/(blobs\/uploads\/?(.*)|blobs\/([^/]+)|manifests\/([^/]+)|tags\/list)$/.exec(
        url.pathname
      )
    if (!m) return void res.writeHead(url.pathname === '/v2/' ? 200 : 404).end()
    const repo = m[1]
    if (m[2].startsWith('blobs/uploads')) {
      if (req.method === 'POST') {
        const mount = url.searchParams.get('mount')
        const from = url.searchParams.get('from')
        if (mount && from && this.blobs.has(`${from}@${mount}`)) {
          this.blobs.set(`${repo}@${mount}`, this.blobs.get(`${from}@${mount}`)!)
          return void res.writeHead(201, { 'docker-content-digest': mount }).end()
        }
        return void res
          .writeHead(202, { location: `/v2/${repo}/blobs/uploads/session-${this.requests.length}` })
          .end()
      }
      if (req.method === 'PUT') {
        const digest = url.searchParams.get('digest') ?? ''
        if (digest !== sha(body)) return void res.writeHead(400).end('DIGEST_INVALID')
        this.blobs.set(`${repo}@${digest}`, body)
        return void res.writeHead(201).end()
      }
    }
    if (m[4]) {
      const blob = this.blobs.get(`${repo}@${m[4]}`)
      if (!blob) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-length': String(blob.length), 'docker-content-digest': m[4] })
      return void res.end(req.method === 'HEAD' ? undefined : blob)
    }
    if (m[5]) {
      const ref = m[5]
      if (req.method === 'PUT') {
        const digest = sha(body)
        const parsed = JSON.parse(body.toString()) as {
          config?: { digest: string }
          layers?: { digest: string }[]
        }
        for (const d of [parsed.config?.digest, ...(parsed.layers ?? []).map((l) => l.digest)]) {
          if (d && !this.blobs.has(`${repo}@${d}`))
            return void res.writeHead(400).end('BLOB_UNKNOWN')
        }
        this.manifests.set(`${repo}@${digest}`, {
          type: req.headers['content-type'] ?? '',
          bytes: body
        })
        if (!ref.startsWith('sha256:')) {
          this.tags.set(`${repo}:${ref}`, digest)
          this.tagWrites.push(`${repo}:${ref}`)
        }
        return void res.writeHead(201, { 'docker-content-digest': digest }).end()
      }
      const digest = ref.startsWith('sha256:') ? ref : this.tags.get(`${repo}:${ref}`)
      const man = digest && this.manifests.get(`${repo}@${digest}`)
      if (!man) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': man.type, 'docker-content-digest': digest })
      return void res.end(req.method === 'HEAD' ? undefined : man.bytes)
    }
    const tags = [...this.tags.keys()]
      .filter((k) => k.startsWith(`${repo}:`))
      .map((k) => k.slice(repo.length + 1))
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name: repo, tags }))
  }
}

export function sha(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`
}
