import { createHash, randomInt } from 'node:crypto'
import { UserError } from '../errors.js'

/** Manifest media types a push may send, and the ones a digest lookup accepts. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
]

export interface Credentials {
  username: string
  password: string
}

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number
  /** First backoff; doubled each attempt, with up to 50% jitter. */
  baseDelayMs: number
  maxDelayMs: number
  /** Absolute time (ms since epoch) after which nothing is retried or started. */
  deadline?: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 }

export interface ClientOptions {
  credentials?: Credentials
  /** Where the credentials came from (`the "registry-auth" input, line 2`), for auth failures. */
  credentialSource?: string
  retry?: RetryPolicy
  /** Called before each retry, for the log. */
  onRetry?: (what: string, attempt: number, delayMs: number, why: string) => void
  /** Plain HTTP; the default for loopback hosts only, as Docker does. */
  insecure?: boolean
}

/** A registry refused the request for a reason a retry cannot fix (auth, not found, bad request). */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message)
    this.name = 'RegistryError'
  }
}

export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1'
}

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic) challenges. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^(\w+)\s*(.*)$/s.exec(header.trim())
  if (!m) return { scheme: '', params: {} }
  const params: Record<string, string> = {}
  for (const p of m[2].matchAll(/([\w-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1].toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1')
  }
  return { scheme: m[1].toLowerCase(), params }
}

/** How long to wait before attempt `attempt + 1`: Retry-After when the registry gave one. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfter?: string | null
): number {
  if (retryAfter) {
    const secs = Number(retryAfter)
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(retryAfter) - Date.now()
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxDelayMs)
  }
  const base = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs)
  return Math.round(base / 2 + randomInt(0, Math.max(1, Math.floor(base / 2))))
}

function retryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500
}

interface RequestSpec {
  method: string
  path: string
  /** Repository the request acts on and the actions it needs (token scope). */
  scope?: { repository: string; actions: string }
  /** Further token scopes the request needs (a mount's source repository: `repository:<from>:pull`). */
  alsoScopes?: string[]
  headers?: Record<string, string>
  /** A fresh body per attempt (streams cannot be replayed). */
  body?: () => RequestInit['body']
  /** Statuses that are answers, not failures. */
  ok: number[]
}

/**
 * A small client for the OCI distribution API: what a push of an OCI layout needs, with Basic and
 * Bearer-token authentication, retries with backoff on transient failures and a total deadline.
 */
export class RegistryClient {
  readonly base: string
  private readonly tokens = new Map<string, string>()
  private basicAuth = false
  private readonly retry: RetryPolicy

  constructor(
    readonly host: string,
    private readonly opts: ClientOptions = {}
  ) {
    const insecure = opts.insecure ?? isLoopbackHost(host)
    this.base = `${insecure ? 'http' : 'https'}://${host === 'docker.io' ? 'registry-1.docker.io' : host}`
    this.retry = opts.retry ?? DEFAULT_RETRY
  }

  private authHeader(scopeKey: string): string | undefined {
    const token = this.tokens.get(scopeKey)
    if (token) return `Bearer ${token}`
    if (this.basicAuth && this.opts.credentials) {
      const { username, password } = this.opts.credentials
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    return undefined
  }

  private async authenticate(challenge: string, scopeKey: string): Promise<boolean> {
    const { scheme, params } = parseChallenge(challenge)
    if (scheme === 'basic') {
      if (!this.opts.credentials || this.basicAuth) return false
      this.basicAuth = true
      return true
    }
    if (scheme !== 'bearer' || !params.realm) return false
    const url = new URL(params.realm)
    if (params.service) url.searchParams.set('service', params.service)
    // What the registry asked for plus what this request needs: a registry may name only part of it.
    const scopes = new Set(`${params.scope ?? ''} ${scopeKey}`.split(' ').filter(Boolean))
    for (const s of scopes) url.searchParams.append('scope', s)
    const headers: Record<string, string> = {}
    if (this.opts.credentials) {
      const { username, password } = this.opts.credentials
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    const res = await this.send(`token for ${this.host}`, () =>
      fetch(url, { headers, signal: this.signal() })
    )
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel()
      const c = this.opts.credentials
      throw new RegistryError(
        `${this.host} refused the credentials${c ? ` of ${c.username}` : ''} (token endpoint answered ${res.status}). ` +
          (c
            ? `Check ${this.opts.credentialSource ?? 'the credentials'} for ${this.host}.`
            : `No credentials were given for ${this.host}: add a "registry-auth" line for it.`),
        res.status
      )
    }
    if (!res.ok)
      throw new RegistryError(`${this.host}: token endpoint answered ${res.status}`, res.status)
    const body = (await res.json()) as { token?: string; access_token?: string }
    const token = body.token ?? body.access_token
    if (!token) throw new RegistryError(`${this.host}: the token endpoint returned no token`, 500)
    this.tokens.set(scopeKey, token)
    return true
  }

  private signal(): AbortSignal | undefined {
    const d = this.retry.deadline
    return d === undefined ? undefined : AbortSignal.timeout(Math.max(1, d - Date.now()))
  }

  /** Sends with retries on network errors, 408/429/5xx; everything else is returned to the caller. */
  private async send(what: string, attempt: () => Promise<Response>): Promise<Response> {
    for (let n = 1; ; n++) {
      let res: Response | undefined
      let why: string
      try {
        res = await attempt()
        if (!retryable(res.status)) return res
        why = `HTTP ${res.status}`
      } catch (e) {
        if (this.deadlinePassed()) {
          throw new RegistryError(`${what}: gave up at the push deadline (${errorText(e)})`, 0)
        }
        why = errorText(e)
      }
      const delay = backoffDelay(this.retry, n, res?.headers.get('retry-after'))
      const deadline = this.retry.deadline
      if (n >= this.retry.attempts || (deadline !== undefined && Date.now() + delay >= deadline)) {
        if (res) {
          await res.body?.cancel()
          throw new RegistryError(
            `${what}: ${this.host} answered ${why} (after ${n} attempts)`,
            res.status
          )
        }
        throw new RegistryError(`${what}: ${why} (after ${n} attempts)`, 0)
      }
      await res?.body?.cancel()
      this.opts.onRetry?.(what, n, delay, why)
      await new Promise((r) => setTimeout(r, delay))
    }
  }

  private deadlinePassed(): boolean {
    return this.retry.deadline !== undefined && Date.now() >= this.retry.deadline
  }

  /** One API call: authenticates on the first 401 and retries transient failures. */
  async request(spec: RequestSpec): Promise<Response> {
    const scopeKey = [
      ...(spec.scope ? [`repository:${spec.scope.repository}:${spec.scope.actions}`] : []),
      ...(spec.alsoScopes ?? [])
    ].join(' ')
    const what = `${spec.method} ${spec.path.split('?')[0]}`
    for (let authTries = 0; ; authTries++) {
      const res = await this.send(what, () => {
        const headers: Record<string, string> = { ...spec.headers }
        const auth = this.authHeader(scopeKey)
        if (auth) headers.authorization = auth
        const body = spec.body?.()
        const init: RequestInit & { duplex?: string } = {
          method: spec.method,
          headers,
          body,
          redirect: 'follow',
          signal: this.signal()
        }
        if (body && typeof body === 'object' && 'getReader' in body) init.duplex = 'half'
        return fetch(this.url(spec.path), init)
      })
      if (res.status === 401 && authTries === 0) {
        const challenge = res.headers.get('www-authenticate') ?? ''
        await res.body?.cancel()
        if (await this.authenticate(challenge, scopeKey)) continue
      }
      if (spec.ok.includes(res.status)) return res
      const text = await res.text().catch(() => '')
      throw new RegistryError(
        describeFailure(
          this.host,
          what,
          res.status,
          text,
          this.opts.credentials,
          this.opts.credentialSource
        ),
        res.status
      )
    }
  }

  private url(p: string): string {
    return /^https?:\/\//.test(p) ? p : `${this.base}${p}`
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.request({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      scope: { repository, actions: 'pull,push' },
      ok: [200, 404]
    })
    return res.status === 200
  }

  /**
   * Cross-repository mount; false when the registry wants the blob uploaded instead. With tokens,
   * the request asks for `repository:<from>:pull` as well: without it a registry either answers 401
   * or quietly starts an upload.
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const res = await this.request({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      scope: { repository, actions: 'pull,push' },
      alsoScopes: [`repository:${from}:pull`],
      ok: [201, 202]
    })
    await res.body?.cancel()
    return res.status === 201
  }

  /** Monolithic upload: one POST for a session, one PUT with the whole blob. */
  async uploadBlob(
    repository: string,
    digest: string,
    size: number,
    body: () => RequestInit['body']
  ): Promise<void> {
    const start = await this.request({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      scope: { repository, actions: 'pull,push' },
      ok: [202]
    })
    await start.body?.cancel()
    const location = start.headers.get('location')
    if (!location) throw new RegistryError(`${this.host}: the upload session has no Location`, 500)
    const url = new URL(location, this.base)
    url.searchParams.set('digest', digest)
    const res = await this.request({
      method: 'PUT',
      path: url.toString(),
      scope: { repository, actions: 'pull,push' },
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      ok: [201]
    })
    await res.body?.cancel()
  }

  /** PUT a manifest under a tag or its digest; returns the digest the registry computed. */
  async putManifest(
    repository: string,
    reference: string,
    mediaType: string,
    bytes: Buffer
  ): Promise<string> {
    const res = await this.request({
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      scope: { repository, actions: 'pull,push' },
      headers: { 'content-type': mediaType },
      body: () => new Uint8Array(bytes),
      ok: [201]
    })
    await res.body?.cancel()
    const expected = sha256Digest(bytes)
    const got = res.headers.get('docker-content-digest')
    if (got && got !== expected) {
      throw new RegistryError(
        `${this.host} stored ${repository}:${reference} as ${got}, not ${expected}: refusing to continue.`,
        500
      )
    }
    return expected
  }

  /** The digest a tag or digest resolves to, or undefined when the registry has none. */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const res = await this.request({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${reference}`,
      scope: { repository, actions: 'pull' },
      headers: { accept: MANIFEST_TYPES.join(', ') },
      ok: [200, 404]
    })
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined
  }

  async getManifest(
    repository: string,
    reference: string
  ): Promise<{ digest: string; mediaType: string; bytes: Buffer } | undefined> {
    const res = await this.request({
      method: 'GET',
      path: `/v2/${repository}/manifests/${reference}`,
      scope: { repository, actions: 'pull' },
      headers: { accept: MANIFEST_TYPES.join(', ') },
      ok: [200, 404]
    })
    if (res.status === 404) {
      await res.body?.cancel()
      return undefined
    }
    const bytes = Buffer.from(await res.arrayBuffer())
    return {
      digest: res.headers.get('docker-content-digest') ?? sha256Digest(bytes),
      mediaType: res.headers.get('content-type') ?? '',
      bytes
    }
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.request({
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      scope: { repository, actions: 'pull' },
      ok: [200]
    })
    return Buffer.from(await res.arrayBuffer())
  }

  async listTags(repository: string): Promise<string[]> {
    const res = await this.request({
      method: 'GET',
      path: `/v2/${repository}/tags/list`,
      scope: { repository, actions: 'pull' },
      ok: [200, 404]
    })
    if (res.status === 404) {
      await res.body?.cancel()
      return []
    }
    return ((await res.json()) as { tags?: string[] | null }).tags ?? []
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause
    return cause?.code ?? cause?.message ?? e.message
  }
  return String(e)
}

function describeFailure(
  host: string,
  what: string,
  status: number,
  body: string,
  credentials?: Credentials,
  source?: string
): string {
  const detail = body.trim().replace(/\s+/g, ' ').slice(0, 200)
  if (status === 401 || status === 403) {
    return (
      `${host} refused ${what} (HTTP ${status}${detail ? `: ${detail}` : ''}). ` +
      (credentials
        ? `Check the credentials of ${credentials.username} for ${host}${source ? ` (from ${source})` : ''} and that they may push there.`
        : `No credentials were given for ${host}: set "username" and "password", or add a "registry-auth" line for it.`)
    )
  }
  return `${host}: ${what} answered HTTP ${status}${detail ? `: ${detail}` : ''}`
}

/** Wraps a RegistryError about credentials into the user's terms. */
export function asUserError(e: unknown): unknown {
  if (e instanceof RegistryError && (e.status === 401 || e.status === 403))
    return new UserError(e.message)
  return e
}
