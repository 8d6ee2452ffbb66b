import http from 'node:http'
import type { SmokeRequest } from './spec.js'

export interface HttpResult {
  status: number
  body: string
  ms: number
  /** Set instead of status when no answer came (refused, reset, timeout). */
  error?: string
}

const MAX_BODY = 256 * 1024

/** One request to the container through its published loopback port. Never throws. */
export function send(
  port: number,
  req: SmokeRequest,
  timeoutMs: number,
  host = '127.0.0.1'
): Promise<HttpResult> {
  const started = performance.now()
  return new Promise((resolve) => {
    let done = false
    const finish = (r: Omit<HttpResult, 'ms'>): void => {
      if (done) return
      done = true
      resolve({ ...r, ms: performance.now() - started })
    }
    const body = req.body ? Buffer.from(req.body, 'utf8') : undefined
    const headers: Record<string, string> = { ...req.headers }
    if (body && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['Content-Length'] = String(body.length)
    }
    const r = http.request(
      { host, port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (d: Buffer) => {
          if (size < MAX_BODY) chunks.push(d)
          size += d.length
        })
        res.on('end', () =>
          finish({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8')
          })
        )
        res.on('error', (e) => finish({ status: 0, body: '', error: e.message }))
      }
    )
    r.setTimeout(timeoutMs, () => {
      r.destroy(new Error(`no answer within ${(timeoutMs / 1000).toFixed(1)}s`))
    })
    r.on('error', (e: NodeJS.ErrnoException) =>
      finish({
        status: 0,
        body: '',
        error: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message
      })
    )
    r.end(body)
  })
}

export function is2xx(status: number): boolean {
  return status >= 200 && status < 300
}

/** A response for a message: status and the start of the body. */
export function describeResponse(r: HttpResult, max = 500): string {
  if (r.error) return r.error
  const body = r.body.trim()
  const shown = body.length > max ? `${body.slice(0, max)}… (${body.length} characters)` : body
  return `HTTP ${r.status}${shown ? `: ${shown}` : ' (empty body)'}`
}
