import { UserError } from '../errors.js'

/**
 * The smoke inputs, parsed. Pure: every rule here is unit-tested, and a mistake in an input is
 * reported before anything is built.
 */

/** How readiness is decided. */
export type Probe =
  | { kind: 'healthcheck' }
  | { kind: 'http'; port: number; path: string; url: string }
  | { kind: 'cmd'; command: string }

/** The prediction request: `METHOD /path`, header lines, a blank line, the body. */
export interface SmokeRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

export interface Sidecar {
  /** The name the service reaches it by (network alias). */
  name: string
  image: string
}

/** `healthcheck`, `http://:PORT/path` (or `http://localhost:PORT/path`), `cmd: <command>`; empty = auto. */
export function parseProbe(value: string): Probe | undefined {
  const v = value.trim()
  if (!v) return undefined
  if (v === 'healthcheck') return { kind: 'healthcheck' }
  const cmd = /^cmd:\s*(.*)$/s.exec(v)
  if (cmd) {
    if (!cmd[1].trim()) {
      throw new UserError(
        'Input "smoke-probe": "cmd:" needs a command, e.g. "cmd: curl -f localhost:8080/health".'
      )
    }
    return { kind: 'cmd', command: cmd[1].trim() }
  }
  const http = /^http:\/\/(?:localhost|127\.0\.0\.1)?:(\d{1,5})(\/[^\s]*)?$/.exec(v)
  if (http) {
    const port = portNumber('smoke-probe', http[1])
    const path = http[2] ?? '/'
    return { kind: 'http', port, path, url: `http://:${port}${path}` }
  }
  throw new UserError(
    `Input "smoke-probe" must be "healthcheck", an HTTP URL on a container port such as ` +
      `"http://:8080/health", or "cmd: <command>", got "${v}".`
  )
}

function portNumber(input: string, s: string): number {
  const n = Number(s)
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UserError(`Input "${input}": ${s} is not a port number (1-65535).`)
  }
  return n
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']

/** True when the text reads as a request rather than the path of a file holding one. */
export function looksLikeRequest(text: string): boolean {
  return /^[A-Z]+[ \t]+\//.test(text.trimStart())
}

/**
 * Parses the request text. Lines may end in CRLF; the body is kept byte for byte after the first
 * blank line (a trailing newline the YAML block adds is dropped).
 */
export function parseRequest(text: string, source = 'smoke-request'): SmokeRequest {
  const normalized = text.replace(/\r\n/g, '\n').replace(/^\s*\n/, '')
  const lines = normalized.split('\n')
  const first = lines[0].trim()
  const m = /^([A-Z]+)[ \t]+(\/\S*)(?:[ \t]+HTTP\/1\.[01])?$/.exec(first)
  if (!m) {
    throw new UserError(
      `Input "${source}": the first line must be "METHOD /path" (for example "POST /predict"), got "${first}".`
    )
  }
  if (!METHODS.includes(m[1])) {
    throw new UserError(
      `Input "${source}": unknown method ${m[1]}; use one of ${METHODS.join(', ')}.`
    )
  }
  const headers: Record<string, string> = {}
  let i = 1
  for (; i < lines.length; i++) {
    const line = lines[i]
    if (line.trim() === '') {
      i++
      break
    }
    const h = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):[ \t]*(.*?)[ \t]*$/.exec(line)
    if (!h) {
      throw new UserError(
        `Input "${source}": line ${i + 1} is neither a "Name: value" header nor the blank line before the body: "${line}".`
      )
    }
    headers[h[1]] = h[2]
  }
  const body = lines.slice(i).join('\n').replace(/\n$/, '')
  if (body && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    // Most model servers answer 415 without one; JSON is what they nearly all take.
    headers['Content-Type'] = /^\s*[[{]/.test(body) ? 'application/json' : 'text/plain'
  }
  return { method: m[1], path: m[2], headers, body }
}

/** Compiles `smoke-expect`; an invalid expression is the user's to fix. */
export function parseExpect(value: string): RegExp | undefined {
  const v = value.trim()
  if (!v) return undefined
  try {
    return new RegExp(v)
  } catch (e) {
    throw new UserError(
      `Input "smoke-expect" is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}.`
    )
  }
}

/** `NAME=IMAGE` per line. Names become DNS names on the private network. */
export function parseServices(value: string): Sidecar[] {
  const out: Sidecar[] = []
  for (const raw of value.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    const name = eq > 0 ? line.slice(0, eq).trim() : ''
    const image = eq > 0 ? line.slice(eq + 1).trim() : ''
    if (!name || !image) {
      throw new UserError(
        `Input "smoke-services": expected NAME=IMAGE (e.g. redis=redis:7), got "${line}".`
      )
    }
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      throw new UserError(
        `Input "smoke-services": "${name}" is not a usable host name; use lower-case letters, digits and "-".`
      )
    }
    if (/\s/.test(image)) {
      throw new UserError(`Input "smoke-services": "${image}" is not an image reference.`)
    }
    if (out.some((s) => s.name === name)) {
      throw new UserError(`Input "smoke-services": the name "${name}" is used twice.`)
    }
    out.push({ name, image })
  }
  return out
}

/** Container ports to publish: `8080`, `8080/tcp`, `9000/udp`; comma or newline separated. */
export function parsePorts(value: string): string[] {
  const out: string[] = []
  for (const p of value.split(/[\n,]/).map((s) => s.trim())) {
    if (!p || p.startsWith('#')) continue
    const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(p)
    if (!m) {
      throw new UserError(
        `Input "smoke-ports": "${p}" is not a container port; write 8080 or 8080/tcp (the host side is chosen by the action).`
      )
    }
    out.push(`${portNumber('smoke-ports', m[1])}/${m[2] ?? 'tcp'}`)
  }
  return out
}

/**
 * The command override. A JSON array is taken as is (exec form); otherwise one argument per line,
 * or, on a single line, words split on blanks with '...' and "..." quoting.
 */
export function parseArgs(value: string): string[] {
  const v = value.trim()
  if (!v) return []
  if (v.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(v)
    } catch {
      throw new UserError('Input "smoke-args" starts with "[" but is not a JSON array of strings.')
    }
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
      throw new UserError('Input "smoke-args" starts with "[" but is not a JSON array of strings.')
    }
    return parsed
  }
  const lines = v.split('\n').map((l) => l.trim())
  if (lines.length > 1) return lines.filter((l) => l !== '')
  return splitWords(v)
}

function splitWords(s: string): string[] {
  const out: string[] = []
  let cur = ''
  let any = false
  let quote: string | undefined
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined
      else cur += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      any = true
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur)
      cur = ''
      any = false
    } else cur += ch
  }
  if (quote) throw new UserError(`Input "smoke-args": unbalanced ${quote} quote in "${s}".`)
  if (cur || any) out.push(cur)
  return out
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4
}

/** `800MB` (decimal, as docker prints sizes), `1.5GiB` (binary), `123456` (bytes). */
export function parseSize(input: string, value: string): number | undefined {
  const v = value.trim()
  if (!v) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(v)
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined
  if (!m || unit === undefined) {
    throw new UserError(
      `Input "${input}" must be a size such as 800MB, 2GB or 1.5GiB, got "${value}".`
    )
  }
  const n = Math.round(Number(m[1]) * unit)
  if (n <= 0) throw new UserError(`Input "${input}" must be larger than 0, got "${value}".`)
  return n
}

/** Docker's own notation for `--memory` / `--shm-size` (b, k, m, g; binary multiples). */
export function dockerSize(input: string, value: string): string {
  const v = value.trim()
  if (!v) return ''
  if (!/^\d+(?:\.\d+)?[bkmgBKMG]?$/.test(v)) {
    throw new UserError(
      `Input "${input}" must be a size in docker's notation, such as 512m or 2g, got "${value}".`
    )
  }
  return v.toLowerCase()
}

/** Human size with decimal units, as docker prints them (`123.4MB`). */
export function formatBytes(n: number): string {
  const abs = Math.abs(n)
  const sign = n < 0 ? '-' : ''
  if (abs < 1e3) return `${sign}${abs}B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let v = abs / 1e3
  let i = 0
  while (v >= 1e3 && i < units.length - 1) {
    v /= 1e3
    i++
  }
  return `${sign}${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${units[i]}`
}
