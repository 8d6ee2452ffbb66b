import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { ConsoleLogger } from '../../src/log.js'
import { COSIGN_SHA256, cosignPlatform, resolveCosign } from '../../src/supply/cosign.js'

/**
 * cosign's download path against a loopback server: a release-shaped binary (cosign ships a bare
 * executable per platform) whose sha256 is, or is not, the pinned one. No network.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'cosign-install-'))
const script = (version: string): Buffer =>
  Buffer.from(`#!/bin/sh\n[ "$1" = version ] && echo "GitVersion:    v${version}"\n`)
const good = script('9.8.1')
const tampered = script('9.8.2')
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const plat = cosignPlatform()
let server: http.Server
let base = ''
const requests: string[] = []
const lines: string[] = []
const log = new ConsoleLogger(
  (s) => lines.push(s),
  (s) => lines.push(s)
)

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '')
    if (req.url?.includes('/v9.8.1/')) res.end(good)
    else if (req.url?.includes('/v9.8.2/')) res.end(tampered)
    else res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.close()
})

const env = (home: string): NodeJS.ProcessEnv => ({ HOME: home, PATH: process.env.PATH })

describe('resolveCosign', () => {
  it('pins cosign 2.6.5 for linux amd64 and arm64', () => {
    expect(Object.keys(COSIGN_SHA256['2.6.5']).sort()).toEqual(['linux-amd64', 'linux-arm64'])
    for (const v of Object.values(COSIGN_SHA256['2.6.5'])) expect(v).toMatch(/^[0-9a-f]{64}$/)
  })

  it('downloads the platform binary from the URL template, checks its sha256, installs it once', async () => {
    const home = mkdtempSync(path.join(work, 'home-'))
    const opts = {
      version: '9.8.1',
      url: `${base}/v{version}/cosign-{platform}`,
      sha256: { '9.8.1': { [plat]: sha(good) } },
      pathBin: '/nonexistent/cosign',
      env: env(home)
    }
    const bin = await resolveCosign(log, opts)
    expect(requests).toContain(`/v9.8.1/cosign-${plat}`)
    expect(bin.startsWith(path.join(home, '.cache', 'ml-docker', 'tools', 'cosign', '9.8.1'))).toBe(
      true
    )
    expect(execFileSync(bin, ['version'], { encoding: 'utf8' })).toContain('v9.8.1')
    const before = requests.length
    expect(await resolveCosign(log, opts)).toBe(bin)
    expect(requests.length).toBe(before)
    expect(readdirSync(path.dirname(path.dirname(bin)))).toEqual([path.basename(path.dirname(bin))])
  })

  it('refuses a binary whose sha256 is not the pinned one and installs nothing', async () => {
    const home = mkdtempSync(path.join(work, 'home-'))
    await expect(
      resolveCosign(log, {
        version: '9.8.2',
        url: `${base}/v{version}/cosign-{platform}`,
        sha256: { '9.8.2': { [plat]: sha(good) } },
        pathBin: '/nonexistent/cosign',
        env: env(home)
      })
    ).rejects.toThrow(/cosign binary checksum mismatch.*Refusing to run it/)
    // Nothing is left where a later run would look for an installed binary.
    const versionDir = path.join(home, '.cache', 'ml-docker', 'tools', 'cosign', '9.8.2')
    expect(existsSync(versionDir) ? readdirSync(versionDir) : []).toEqual([])
  })

  it('refuses an unpinned version unless cosign-sha256 names the binary', async () => {
    const home = mkdtempSync(path.join(work, 'home-'))
    const common = {
      version: '9.8.2',
      url: `${base}/v{version}/cosign-{platform}`,
      sha256: { '2.6.5': {} },
      pathBin: '/nonexistent/cosign',
      env: env(home)
    }
    await expect(resolveCosign(log, common)).rejects.toThrow(
      /No pinned checksum for cosign 9\.8\.2.*2\.6\.5.*cosign-sha256.*binary/
    )
    const bin = await resolveCosign(log, { ...common, userSha256: sha(tampered) })
    expect(execFileSync(bin, ['version'], { encoding: 'utf8' })).toContain('v9.8.2')
  })

  it('uses a cosign on PATH (or the given binary) when it is exactly the requested version', async () => {
    const dir = mkdtempSync(path.join(work, 'path-'))
    const fake = path.join(dir, 'cosign')
    writeFileSync(fake, script('9.8.3'))
    chmodSync(fake, 0o755)
    expect(await resolveCosign(log, { version: '9.8.3', pathBin: fake, sha256: {} })).toBe(fake)
  })
})
