import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConsoleLogger } from '../../src/log.js'
import { pushLayout, PushError, splitTag } from '../../src/push/index.js'
import { backoffDelay, parseChallenge, RegistryClient } from '../../src/registry/client.js'
import { OciLayout } from '../../src/registry/layout.js'
import { FakeRegistry, sha } from '../support/fake-registry.js'

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

/** A one-image OCI layout as BuildKit writes it: config, two layers, manifest, index.json. */
function makeLayout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-layout-'))
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  const put = (b: Buffer | string): { digest: string; size: number } => {
    const buf = Buffer.from(b)
    const digest = sha(buf)
    writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), buf)
    return { digest, size: buf.length }
  }
  const config = put(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })
  )
  const l1 = put(Buffer.alloc(4096, 1))
  const l2 = put(Buffer.alloc(2048, 2))
  const manifest = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [l1, l2].map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        ...l
      }))
    })
  )
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: ['1', 'latest'].map((t) => ({
        mediaType: MANIFEST,
        ...manifest,
        annotations: { 'org.opencontainers.image.ref.name': t }
      }))
    })
  )
  return dir
}

const lines: string[] = []
const log = new ConsoleLogger(
  (s) => lines.push(s),
  (s) => lines.push(s)
)
const fast = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 }
let registry: FakeRegistry

afterEach(async () => {
  lines.length = 0
  await registry?.stop()
})

async function pushTo(
  reg: FakeRegistry,
  tags: string[],
  opts: { password?: string; deadline?: number } = {}
): Promise<{ digest: string; result: Awaited<ReturnType<typeof pushLayout>> }> {
  const layout = new OciLayout(makeLayout())
  const root = await layout.tree(await layout.root())
  const creds =
    reg.auth.mode === 'none'
      ? undefined
      : { username: reg.auth.username, password: opts.password ?? reg.auth.password }
  const result = await pushLayout(layout, root, tags, {
    log,
    credentials: () => creds,
    retry: fast,
    deadline: opts.deadline
  })
  return { digest: root.descriptor.digest, result }
}

describe('pushLayout', () => {
  it('sends blobs and the manifest by digest, then moves the tags in the given order', async () => {
    registry = await new FakeRegistry({ mode: 'basic', username: 'ci', password: 'pw' }).start()
    const r = registry.host
    const tags = [`${r}/team/app:1.2.3`, `${r}/team/app:1.2`, `${r}/team/app:latest`]
    const { digest, result } = await pushTo(registry, tags)
    expect(result.pushed).toEqual(tags)
    expect(result.digest).toBe(digest)
    expect(registry.tagWrites).toEqual(['team/app:1.2.3', 'team/app:1.2', 'team/app:latest'])
    for (const t of ['1.2.3', '1.2', 'latest'])
      expect(registry.tags.get(`team/app:${t}`)).toBe(digest)
    // The manifest was complete under its digest before the first tag moved.
    const firstTag = registry.requests.findIndex(
      (q) => q.method === 'PUT' && q.path.endsWith('/manifests/1.2.3')
    )
    const byDigest = registry.requests.findIndex(
      (q) => q.method === 'PUT' && q.path.endsWith(`/manifests/${digest}`)
    )
    expect(byDigest).toBeGreaterThan(-1)
    expect(byDigest).toBeLessThan(firstTag)
  })

  it('mounts blobs into a second repository instead of uploading them twice', async () => {
    registry = await new FakeRegistry().start()
    const r = registry.host
    const { result } = await pushTo(registry, [`${r}/a/app:1`, `${r}/b/app:1`])
    const uploads = registry.requests.filter(
      (q) => q.method === 'PUT' && q.path.includes('/blobs/uploads/')
    )
    expect(uploads).toHaveLength(3)
    expect(registry.requests.filter((q) => q.path.includes('mount='))).toHaveLength(3)
    expect(result.reusedBlobs).toBe(3)
  })

  it('skips blobs the registry already has', async () => {
    registry = await new FakeRegistry().start()
    const r = registry.host
    await pushTo(registry, [`${r}/a/app:1`])
    const before = registry.requests.length
    const { result } = await pushTo(registry, [`${r}/a/app:2`])
    expect(result.uploadedBytes).toBe(0)
    expect(
      registry.requests
        .slice(before)
        .filter((q) => q.method === 'PUT' && q.path.includes('/blobs/'))
    ).toEqual([])
  })

  it('authenticates with the Bearer token flow', async () => {
    registry = await new FakeRegistry({ mode: 'bearer', username: 'ci', password: 'pw' }).start()
    const { result } = await pushTo(registry, [`${registry.host}/team/app:1`])
    expect(result.pushed).toHaveLength(1)
    expect(registry.requests.some((q) => q.path.startsWith('/token'))).toBe(true)
    expect(
      registry.requests.filter((q) => q.authorization?.startsWith('Bearer token-for-test')).length
    ).toBeGreaterThan(3)
  })

  it.each([
    ['answers 401 for a missing source scope', false],
    ['quietly uploads for a missing source scope', true]
  ])(
    'with Bearer scopes, mounts into a second repository instead of uploading (a registry that %s)',
    async (_, quiet) => {
      registry = await new FakeRegistry(
        { mode: 'bearer', username: 'ci', password: 'pw' },
        quiet
      ).start()
      const r = registry.host
      const { digest, result } = await pushTo(registry, [`${r}/a/app:1`, `${r}/b/app:1`])
      expect(result.pushed).toEqual([`${r}/a/app:1`, `${r}/b/app:1`])
      expect(registry.tags.get('b/app:1')).toBe(digest)
      // Three blobs (config and two layers) uploaded once, into a/app; b/app got them by mounts.
      const uploads = registry.requests.filter(
        (q) => q.method === 'PUT' && q.path.includes('/blobs/uploads/')
      )
      expect(uploads).toHaveLength(3)
      expect(uploads.every((q) => q.path.startsWith('/v2/a/app/'))).toBe(true)
      expect(result.reusedBlobs).toBe(3)
      const inA = [...registry.blobs].filter(([k]) => k.startsWith('a/app@'))
      expect(result.uploadedBytes).toBe(inA.reduce((n, [, b]) => n + b.length, 0))
      // The mount token carries both scopes: push on the target, pull on the source.
      expect(registry.tokenRequests).toContainEqual(
        expect.arrayContaining(['repository:b/app:pull,push', 'repository:a/app:pull'])
      )
      // One mount per blob with a token, none refused for a missing scope.
      const mounts = registry.requests.filter((q) => q.path.includes('mount='))
      expect(mounts.filter((q) => q.authorization).length).toBe(3)
    }
  )

  it('rides out transient 503s, 429 with Retry-After and connection resets', async () => {
    registry = await new FakeRegistry().start()
    registry.faults = [
      {
        match: (q) => q.method === 'PUT' && q.path.includes('/blobs/uploads/'),
        status: 503,
        times: 2
      },
      { match: (q) => q.method === 'POST', status: 0, reset: true, times: 1 },
      {
        match: (q) => q.path.endsWith('/manifests/1'),
        status: 429,
        headers: { 'retry-after': '0' },
        times: 1
      }
    ]
    const { digest, result } = await pushTo(registry, [`${registry.host}/team/app:1`])
    expect(result.pushed).toEqual([`${registry.host}/team/app:1`])
    expect(registry.tags.get('team/app:1')).toBe(digest)
    expect(lines.filter((l) => l.includes('retrying in')).length).toBeGreaterThanOrEqual(4)
  })

  it('does not retry a refused login, names the registry, and moves no tag', async () => {
    registry = await new FakeRegistry({ mode: 'basic', username: 'ci', password: 'pw' }).start()
    const err = await pushTo(registry, [`${registry.host}/team/app:1`], {
      password: 'wrong'
    }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).name).toBe('UserError')
    expect((err as Error).message).toContain(`${registry.host} refused`)
    expect((err as Error).message).toContain('No tag was moved.')
    expect((err as Error).message).not.toContain('\n')
    // One unauthenticated request for the challenge, one with the credentials, and no more.
    expect(registry.requests).toHaveLength(2)
    expect(registry.tagWrites).toEqual([])
    expect(lines.some((l) => l.includes('retrying'))).toBe(false)
  })

  it('a refused token names the registry and the input the credential came from', async () => {
    registry = await new FakeRegistry({ mode: 'bearer', username: 'ci', password: 'pw' }).start()
    const layout = new OciLayout(makeLayout())
    const root = await layout.tree(await layout.root())
    const err = await pushLayout(layout, root, [`${registry.host}/team/app:1`], {
      log,
      credentials: () => ({ username: 'ci', password: 'wrong' }),
      credentialSource: () => 'the "registry-auth" input, line 2',
      retry: fast
    }).catch((e: Error) => e)
    expect((err as Error).name).toBe('UserError')
    expect((err as Error).message).toBe(
      `${registry.host} refused the credentials of ci (token endpoint answered 401). ` +
        `Check the "registry-auth" input, line 2 for ${registry.host}. No tag was moved.`
    )
    expect(registry.tokenRequests).toEqual([])
  })

  it('reports exactly which tags moved when one fails for good', async () => {
    registry = await new FakeRegistry().start()
    const r = registry.host
    registry.faults = [
      { match: (q) => q.path.endsWith('/manifests/latest'), status: 503, times: 99 }
    ]
    const err = await pushTo(registry, [`${r}/t/app:1.2.3`, `${r}/t/app:latest`]).catch(
      (e: Error) => e
    )
    expect(err).toBeInstanceOf(PushError)
    expect((err as PushError).moved).toEqual([`${r}/t/app:1.2.3`])
    expect((err as PushError).notMoved).toEqual([`${r}/t/app:latest`])
    expect(registry.tags.has('t/app:latest')).toBe(false)
  })

  it('gives up at the deadline on a registry that keeps failing', async () => {
    registry = await new FakeRegistry().start()
    registry.faults = [{ match: () => true, status: 503, times: 10_000 }]
    const started = Date.now()
    const layout = new OciLayout(makeLayout())
    const root = await layout.tree(await layout.root())
    const err = await pushLayout(layout, root, [`${registry.host}/t/app:1`], {
      log,
      credentials: () => undefined,
      retry: { attempts: 1000, baseDelayMs: 50, maxDelayMs: 200 },
      deadline: Date.now() + 1500
    }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(PushError)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(registry.tagWrites).toEqual([])
  })
})

describe('registry client pieces', () => {
  it('parses Bearer and Basic challenges', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"'
      )
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:a/b:pull'
      }
    })
    expect(parseChallenge('Basic realm="x"').scheme).toBe('basic')
  })
  it('honours Retry-After and otherwise backs off exponentially with jitter', () => {
    const p = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 }
    expect(backoffDelay(p, 1, '7')).toBe(7000)
    for (let i = 0; i < 20; i++) {
      const d = backoffDelay(p, 3)
      expect(d).toBeGreaterThanOrEqual(2000)
      expect(d).toBeLessThanOrEqual(4000)
    }
    expect(backoffDelay(p, 20)).toBeLessThanOrEqual(30_000)
  })
  it('speaks plain HTTP only to loopback registries', () => {
    expect(new RegistryClient('127.0.0.1:5000').base).toBe('http://127.0.0.1:5000')
    expect(new RegistryClient('localhost:5000').base).toBe('http://localhost:5000')
    expect(new RegistryClient('ghcr.io').base).toBe('https://ghcr.io')
    expect(new RegistryClient('docker.io').base).toBe('https://registry-1.docker.io')
  })
  it('splits tag references, with Docker Hub implicit parts', () => {
    expect(splitTag('127.0.0.1:5000/team/app:1.2')).toEqual({
      image: '127.0.0.1:5000/team/app',
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: '1.2'
    })
    expect(splitTag('acme/app:1')).toMatchObject({ registry: 'docker.io', repository: 'acme/app' })
    expect(splitTag('python:3.11')).toMatchObject({
      registry: 'docker.io',
      repository: 'library/python'
    })
  })
})
