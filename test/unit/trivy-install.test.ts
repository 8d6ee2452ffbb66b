import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { ConsoleLogger } from '../../src/log.js'

/**
 * The download path of resolveTrivy against a loopback server: a release-shaped archive whose
 * sha256 is (or is not) in the pinned table. No network.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'trivy-install-'))
process.env.RUNNER_TOOL_CACHE = path.join(work, 'toolcache')
process.env.RUNNER_TEMP = path.join(work, 'tmp')
const { resolveTrivy, sha256File, trivyPlatform } = await import('../../src/scan/install.js')

function archiveWith(version: string): Buffer {
  const dir = mkdtempSync(path.join(work, 'rel-'))
  writeFileSync(path.join(dir, 'trivy'), `#!/bin/sh\necho "Version: ${version}"\n`)
  chmodSync(path.join(dir, 'trivy'), 0o755)
  writeFileSync(path.join(dir, 'LICENSE'), 'Apache-2.0\n')
  const tgz = path.join(dir, 'release.tar.gz')
  execFileSync('tar', ['-czf', tgz, '-C', dir, 'trivy', 'LICENSE'])
  return readFileSync(tgz)
}

const good = archiveWith('9.9.1')
const tampered = archiveWith('9.9.2')
let server: http.Server
let base = ''
const lines: string[] = []
const log = new ConsoleLogger(
  (s) => lines.push(s),
  (s) => lines.push(s)
)

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.end(req.url === '/good.tar.gz' ? good : tampered)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.close()
})

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

describe('resolveTrivy', () => {
  it('downloads, verifies the pinned sha256, caches and runs the binary', async () => {
    const table = { '9.9.1': { [trivyPlatform()]: sha(good) } }
    const bin = await resolveTrivy(log, {
      version: '9.9.1',
      url: `${base}/good.tar.gz`,
      sha256: table,
      pathBin: '/nonexistent/trivy'
    })
    expect(bin).toContain(path.join('toolcache', 'trivy', '9.9.1'))
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toContain('9.9.1')
    // Second call: found in the tool cache, no download.
    const again = await resolveTrivy(log, {
      version: '9.9.1',
      url: `${base}/missing`,
      sha256: table,
      pathBin: '/nonexistent/trivy'
    })
    expect(again).toBe(bin)
    expect(await sha256File(bin)).toBe(sha(readFileSync(bin)))
  })

  it('refuses an archive whose sha256 is not the pinned one, and caches nothing', async () => {
    const table = { '9.9.2': { [trivyPlatform()]: sha(good) } }
    await expect(
      resolveTrivy(log, {
        version: '9.9.2',
        url: `${base}/tampered.tar.gz`,
        sha256: table,
        pathBin: '/nonexistent/trivy'
      })
    ).rejects.toThrow(/checksum mismatch.*Refusing to run it/)
    expect(existsSync(path.join(work, 'toolcache', 'trivy', '9.9.2'))).toBe(false)
  })

  it('refuses a version without a pinned checksum, naming the versions it knows', async () => {
    await expect(
      resolveTrivy(log, {
        version: '0.69.4',
        sha256: { '0.74.0': {} },
        pathBin: '/nonexistent/trivy'
      })
    ).rejects.toThrow(/No pinned checksum for Trivy 0\.69\.4.*0\.74\.0/)
  })

  it('without a runner tool cache, installs into the per-user tool directory once', async () => {
    const home = mkdtempSync(path.join(work, 'home-'))
    const env = { HOME: home, PATH: process.env.PATH }
    const table = { '9.9.1': { [trivyPlatform()]: sha(good) } }
    const opts = { version: '9.9.1', sha256: table, pathBin: '/nonexistent/trivy', env }
    const bin = await resolveTrivy(log, { ...opts, url: `${base}/good.tar.gz` })
    expect(bin.startsWith(path.join(home, '.cache', 'ml-docker', 'tools', 'trivy', '9.9.1'))).toBe(
      true
    )
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toContain('9.9.1')
    // Found again without a download (the URL now answers with another archive).
    expect(await resolveTrivy(log, { ...opts, url: `${base}/tampered.tar.gz` })).toBe(bin)
    // Nothing but the installed version is left behind.
    expect(readdirSync(path.dirname(path.dirname(bin)))).toEqual([path.basename(path.dirname(bin))])
  })

  it('accepts an unpinned version only with the trivy-sha256 of its archive', async () => {
    const home = mkdtempSync(path.join(work, 'home-'))
    const env = { HOME: home, PATH: process.env.PATH }
    const common = {
      version: '9.9.2',
      sha256: {},
      pathBin: '/nonexistent/trivy',
      env,
      url: `${base}/tampered.tar.gz`
    }
    await expect(resolveTrivy(log, common)).rejects.toThrow(
      /No pinned checksum for Trivy 9\.9\.2.*trivy-sha256/
    )
    await expect(resolveTrivy(log, { ...common, userSha256: sha(good) })).rejects.toThrow(
      /checksum mismatch/
    )
    const bin = await resolveTrivy(log, { ...common, userSha256: sha(tampered) })
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toContain('9.9.2')
  })

  it('uses a trivy on PATH when it is exactly the requested version', async () => {
    const dir = mkdtempSync(path.join(work, 'path-'))
    const fake = path.join(dir, 'trivy')
    writeFileSync(fake, '#!/bin/sh\necho "Version: 9.9.3"\n')
    chmodSync(fake, 0o755)
    expect(await resolveTrivy(log, { version: '9.9.3', pathBin: fake, sha256: {} })).toBe(fake)
  })
})
