#!/usr/bin/env node
// The test bed's token endpoint for the Bearer-token registry (the flow Docker Hub and GHCR use):
// the registry answers 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`, the
// client asks this endpoint for a token for those scopes, and the registry checks the token's
// signature against the certificate in its `rootcertbundle`.
//
// Plain node, no dependencies. Usage:
//   node .ci/token-server.mjs --listen 127.0.0.1:5003 --key KEY.pem --cert CERT.pem \
//     --issuer ISSUER --service SERVICE --credentials-out FILE
//
// On every start it generates a user and password and writes them to --credentials-out
// ({"username", "password"}, mode 0600) once it listens.
//
// Who gets what:
//   - Basic credentials (GET, as the Docker CLI and dockerd ask) or a password grant (POST
//     form, as BuildKit and containerd ask first) with the right user/password: every requested
//     `repository:<name>:<actions>` scope, with the actions pull and push only.
//   - Wrong credentials: 401, no token.
//   - No credentials at all: a token with pull access only (like a public repository on Docker
//     Hub), so anonymous clients can read but never write.
// The token is an RS256 JWT whose header carries the certificate (`x5c`), which distribution 2.8
// verifies against its rootcertbundle. Requests are logged (never a credential) to stdout.
import { createServer } from 'node:http'
import { createSign, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync, renameSync } from 'node:fs'

function args(argv) {
  const out = {}
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]
    if (!k.startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument: ${k}`)
    out[k.slice(2)] = argv[i + 1]
  }
  for (const need of ['listen', 'key', 'cert', 'issuer', 'service', 'credentials-out']) {
    if (!out[need]) throw new Error(`--${need} is required`)
  }
  return out
}

const opt = args(process.argv.slice(2))
const key = readFileSync(opt.key, 'utf8')
const certPem = readFileSync(opt.cert, 'utf8')
const certDer = new X509Certificate(certPem).raw.toString('base64')
const username = `tb-${randomBytes(3).toString('hex')}`
const password = randomBytes(18).toString('base64url')
const LIFETIME = 300
const ALLOWED = new Set(['pull', 'push'])

const b64url = (v) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

function sign(sub, access) {
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] }
  const claims = {
    iss: opt.issuer,
    sub,
    aud: opt.service,
    exp: now + LIFETIME,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(12).toString('hex'),
    access
  }
  const input = `${b64url(header)}.${b64url(claims)}`
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url')
  return { token: `${input}.${signature}`, issuedAt: new Date(now * 1000).toISOString() }
}

function same(a, b) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** `repository:a/b:pull,push` scopes (several per value, space-separated) -> access entries. */
function grant(scopes, authenticated) {
  const access = []
  for (const scope of scopes.flatMap((s) => s.split(' ')).filter(Boolean)) {
    const m = /^repository:(.+):([\w,*]+)$/.exec(scope)
    if (!m) continue
    const wanted = m[2].split(',')
    const actions = wanted.filter((a) => ALLOWED.has(a) && (authenticated || a === 'pull'))
    if (actions.length) access.push({ type: 'repository', name: m[1], actions })
  }
  return access
}

function reply(res, status, body, extra = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...extra })
  res.end(JSON.stringify(body))
}

async function readBody(req) {
  const chunks = []
  for await (const c of req) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://token')
  if (url.pathname === '/healthz') return reply(res, 200, { ok: true })
  if (url.pathname !== '/token') return reply(res, 404, { error: 'not found' })
  let user
  let pass
  let scopes = url.searchParams.getAll('scope')
  let service = url.searchParams.get('service')
  if (req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req))
    if (form.get('grant_type') !== 'password') {
      // Refresh tokens are never issued; containerd then falls back to GET with Basic.
      console.log(`POST /token grant_type=${form.get('grant_type')}: 400`)
      return reply(res, 400, { error: 'unsupported_grant_type' })
    }
    user = form.get('username') ?? ''
    pass = form.get('password') ?? ''
    scopes = form.getAll('scope')
    service = form.get('service')
  } else if (req.method === 'GET') {
    const auth = req.headers.authorization ?? ''
    if (auth.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      user = colon >= 0 ? decoded.slice(0, colon) : decoded
      pass = colon >= 0 ? decoded.slice(colon + 1) : ''
    }
  } else return reply(res, 405, { error: 'method not allowed' })

  if (service && service !== opt.service) {
    console.log(`${req.method} /token service=${service}: 400 (unknown service)`)
    return reply(res, 400, { error: 'invalid_request', error_description: 'unknown service' })
  }
  const anonymous = user === undefined
  if (!anonymous && !(same(user, username) && same(pass, password))) {
    console.log(`${req.method} /token user=${user}: 401 (bad credentials)`)
    return reply(
      res,
      401,
      { error: 'invalid_grant', details: 'incorrect username or password' },
      { 'www-authenticate': 'Basic realm="ml-docker-testbed-token"' }
    )
  }
  const access = grant(scopes, !anonymous)
  const { token, issuedAt } = sign(anonymous ? '' : user, access)
  console.log(
    `${req.method} /token user=${anonymous ? '(anonymous)' : user} scopes=[${scopes.join(' ')}] ` +
      `granted=[${access.map((a) => `${a.name}:${a.actions.join(',')}`).join(' ')}]`
  )
  return reply(res, 200, {
    token,
    access_token: token,
    expires_in: LIFETIME,
    issued_at: issuedAt
  })
})

const [host, port] = [opt.listen.replace(/:\d+$/, ''), Number(opt.listen.split(':').pop())]
server.listen(port, host, () => {
  const tmp = `${opt['credentials-out']}.tmp`
  writeFileSync(tmp, JSON.stringify({ username, password }) + '\n', { mode: 0o600 })
  renameSync(tmp, opt['credentials-out'])
  console.log(`token server on http://${opt.listen}/token for ${opt.service} (user ${username})`)
})
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)))
