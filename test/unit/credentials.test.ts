import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../../src/config.js'
import { credentialsFor } from '../../src/pipeline.js'

/** A Docker client configuration directory holding `auths` for the given hosts. */
function dockerConfig(auths: Record<string, [string, string]>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-creds-'))
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, [u, p]]) => [
      host,
      { auth: Buffer.from(`${u}:${p}`).toString('base64') }
    ])
  )
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: entries }))
  return dir
}

describe('credentialsFor: one credential per registry, and where it came from', () => {
  const cfg = parseConfig(
    (n) =>
      ({
        registry: 'reg.example:5000',
        username: 'ci',
        password: 'pw',
        'registry-auth':
          'registry=registry.example.com,username=bot,password=gh\nregistry=docker.io,username=acme,password=hub'
      })[n],
    { cli: true }
  )
  const dir = dockerConfig({
    'other.example.com': ['robot', 'q'],
    'registry.example.com': ['other', 'ignored'],
    'https://index.docker.io/v1/': ['other', 'ignored']
  })

  it.each([
    ['registry.example.com', 'bot', 'gh', 'the "registry-auth" input, line 1'],
    ['docker.io', 'acme', 'hub', 'the "registry-auth" input, line 2'],
    ['reg.example:5000', 'ci', 'pw', 'the "username" and "password" inputs'],
    ['other.example.com', 'robot', 'q', 'the Docker client configuration']
  ])('%s -> %s from %s', async (registry, username, password, source) => {
    const c = await credentialsFor(cfg, registry, dir)
    expect(c).toEqual({ credentials: { username, password }, source })
  })

  it('a registry with no credential anywhere has none', async () => {
    const c = await credentialsFor(cfg, 'registry.invalid:5000', dir)
    expect(c.credentials).toBeUndefined()
  })
})
