import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { FaultProxy } from '../support/fault-proxy.js'
import {
  describeTestbed,
  registryManifest,
  registryTags,
  runAction,
  runPost,
  tinyContext,
  uniqueName,
  type ActionRun,
  type Testbed,
  tagPush
} from './testbed.js'

const release = tagPush('v1.0.0', 'faults')

describeTestbed('push through registry faults', (bed: Testbed) => {
  let proxy: FaultProxy
  const inputs = (repo: string, extra: Record<string, string> = {}): Record<string, string> => ({
    context: tinyContext(),
    images: `${proxy.host}/${repo}`,
    registry: proxy.host,
    username: bed.username,
    password: bed.password,
    'build-args': `BASE_IMAGE=${bed.busyboxImage}`,
    // The push is under test: the other stages and the cache stay out of the way.
    lint: 'false',
    smoke: 'false',
    scan: 'false',
    cache: 'off',
    ...extra
  })
  const pushRow = (run: ActionRun): { status: string; seconds: number } => {
    const m = /\| push \| \S+ (\w+) \| ([\d.]+)s \|/.exec(run.summary)
    return { status: m?.[1] ?? '', seconds: Number(m?.[2]) }
  }

  beforeAll(async () => {
    proxy = await new FaultProxy(bed.registry).start()
  })
  afterAll(async () => {
    await proxy.stop()
  })

  it('transient 503s, a 429 with Retry-After and a reset mid-upload: every tag ends on the tested digest', async () => {
    const repo = uniqueName('acme/faults-transient')
    const onRepo = (method: string, part: string) => (q: { method: string; path: string }) =>
      q.method === method && q.path.startsWith(`/v2/${repo}/`) && q.path.includes(part)
    proxy.faults = [
      { match: onRepo('PUT', '/blobs/uploads/'), resetAfterBytes: 256 * 1024, times: 1 },
      { match: onRepo('PUT', '/blobs/uploads/'), status: 503, times: 2 },
      { match: onRepo('POST', '/blobs/uploads/'), status: 502, times: 1 },
      {
        match: onRepo('PUT', '/manifests/sha256:'),
        status: 429,
        headers: { 'retry-after': '1' },
        times: 1
      },
      { match: onRepo('PUT', '/manifests/1.0'), status: 503, times: 1 }
    ]
    const run = await runAction(inputs(repo), release)
    await runPost(run, inputs(repo), release)
    if (run.code !== 0) console.log(run.output)
    expect(run.code).toBe(0)
    expect(proxy.faults).toEqual([])
    expect(run.output.match(/retrying in/g)?.length).toBeGreaterThanOrEqual(5)
    expect(registryTags(bed, repo).sort()).toEqual(['1', '1.0', '1.0.0', 'latest', 'sha-a1b2c3d'])
    for (const tag of ['1.0.0', '1.0', '1', 'latest']) {
      expect(registryManifest(bed, `${repo}:${tag}`).digest).toBe(run.outputs.digest)
    }
  }, 300_000)

  it('a registry that keeps answering 503 fails within push-timeout + 10 s and moves no tag', async () => {
    const repo = uniqueName('acme/faults-dead')
    proxy.faults = [
      { match: (q) => q.path.startsWith(`/v2/${repo}/`), status: 503, times: Infinity }
    ]
    const run = await runAction(inputs(repo, { 'push-timeout': '15' }), release)
    await runPost(run, inputs(repo), release)
    proxy.faults = []
    expect(run.code).not.toBe(0)
    const row = pushRow(run)
    expect(row.status).toBe('failed')
    expect(row.seconds).toBeLessThan(15 + 10)
    expect(run.summary).toContain('No tag was moved.')
    expect(registryTags(bed, repo)).toEqual([])
  }, 300_000)

  it('a 401 is not retried and ends in one line naming the registry and the credentials', async () => {
    const repo = uniqueName('acme/faults-401')
    proxy.faults = [
      {
        match: (q) => q.path.startsWith(`/v2/${repo}/`),
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="faults"' },
        times: Infinity
      }
    ]
    const run = await runAction(inputs(repo), release)
    await runPost(run, inputs(repo), release)
    const refused = proxy.log.filter((q) => q.path.startsWith(`/v2/${repo}/`) && q.fault === '401')
    proxy.faults = []
    expect(run.code).not.toBe(0)
    expect(pushRow(run).status).toBe('failed')
    // One request for the challenge, one with the credentials; no retry after that.
    expect(refused).toHaveLength(2)
    expect(run.output).not.toMatch(/retrying in/)
    const error = run.output.split('\n').filter((l) => l.startsWith('::error::'))
    expect(error).toHaveLength(1)
    expect(error[0]).toContain(`${proxy.host} refused`)
    expect(error[0]).toContain(`Check the credentials of ${bed.username}`)
    expect(error[0]).toContain('No tag was moved.')
    expect(registryTags(bed, repo)).toEqual([])
  }, 300_000)
})
