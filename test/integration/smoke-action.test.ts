import { beforeAll, expect, it } from '@jest/globals'
import {
  describeTestbed,
  registryTags,
  runAction,
  runPost,
  serviceInputs,
  smokeContainers,
  uniqueName,
  type ActionEvent,
  type ActionRun
} from './testbed.js'

/** The smoke stage inside the bundled action: inputs, outputs, job summary, post step. */
const pushMain: ActionEvent = {
  name: 'push',
  ref: 'refs/heads/main',
  payload: {
    ref: 'refs/heads/main',
    repository: {
      default_branch: 'main',
      name: 'ml-service',
      html_url: 'https://github.com/acme/ml-service'
    }
  }
}

describeTestbed('smoke stage in the action', (bed) => {
  const repo = uniqueName('acme/ml-service-smoke')
  const inputs = {
    ...serviceInputs(bed, repo),
    'smoke-request': 'examples/ml-service/predict.http',
    'smoke-expect': '"label":\\s*"setosa"',
    'max-image-size': '2GB'
  }
  let first: ActionRun
  let second: ActionRun

  beforeAll(async () => {
    first = await runAction(inputs, pushMain)
    await runPost(first, inputs, pushMain)
    second = await runAction(inputs, pushMain)
    await runPost(second, inputs, pushMain)
  }, 1_200_000)

  it('passes with the prediction, and the summary shows ready time, memory, size and latency', () => {
    if (first.code !== 0) console.log(first.output)
    expect(first.code).toBe(0)
    expect(first.summary).toMatch(/\| smoke \| ✅ passed/)
    expect(first.summary).toContain('### Smoke test ✅')
    expect(first.summary).toMatch(/\| time to ready \| [\d.]+s \|/)
    expect(first.summary).toMatch(/\| memory, idle \| [\d.]+MB \|/)
    expect(first.summary).toMatch(
      /\| memory, peak \| [\d.]+MB \(highest of \d+ `docker stats` samples\) \|/
    )
    expect(first.summary).toMatch(/\| prediction \| `POST \/predict` → 200 in \d+ ms \|/)
    expect(first.summary).toMatch(
      /\| image size, uncompressed \| [\d.]+MB \(max-image-size 2\.00GB\) \|/
    )
    expect(first.summary).toMatch(
      /\| image size, compressed \| [\d.]+MB \((layer blobs as stored|estimated: gzip -6 of each layer)\) \|/
    )
    expect(first.summary).toContain('| `COPY /opt/venv /opt/venv` |')
    // Nothing was published under the first tag before this run.
    expect(first.summary).toMatch(
      /\| change vs published \| nothing published under .*:main yet \|/
    )
    expect(Number(first.outputs['smoke-ready-seconds'])).toBeGreaterThan(0)
    expect(Number(first.outputs['smoke-request-ms'])).toBeGreaterThan(0)
    expect(Number(first.outputs['smoke-memory-idle'])).toBeGreaterThan(1_000_000)
    expect(Number(first.outputs['image-size'])).toBeGreaterThan(
      Number(first.outputs['image-size-compressed'])
    )
    expect(first.outputs['image-size-change']).toBe('')
    expect(JSON.parse(first.outputs['smoke-figures'])).toMatchObject({ verdict: 'healthy' })
    expect(registryTags(bed, repo)).toContain('main')
  })

  it('compares the next run with the image published under the first tag', () => {
    if (second.code !== 0) console.log(second.output)
    expect(second.code).toBe(0)
    const published = `${bed.registry}/${repo}:main`
    expect(second.summary).toContain(`| change vs \`${published}\` |`)
    const figures = JSON.parse(second.outputs['smoke-figures']) as { compressedMethod: string }
    if (figures.compressedMethod === 'stored') {
      // The same inputs build the same layers: every layer is shared, the change is 0.
      expect(second.outputs['image-size-change']).toBe('0')
      expect(second.summary).toMatch(
        /±0B compressed \(published: [\d.]+MB, (\d+) of \1 layers unchanged\)/
      )
    } else {
      // Under the classic store the local size is a gzip estimate of the same layers.
      const change = Number(second.outputs['image-size-change'])
      expect(Math.abs(change)).toBeLessThan(0.1 * Number(second.outputs['image-size-compressed']))
    }
  })

  it('fails above max-image-size and pushes nothing; no container is left', async () => {
    const small = { ...inputs, 'max-image-size': '10MB' }
    const run = await runAction(small, pushMain)
    await runPost(run, small, pushMain)
    expect(run.code).not.toBe(0)
    expect(run.summary).toMatch(/\| smoke \| ❌ failed/)
    expect(run.summary).toMatch(/\| push \| ⏭️ skipped/)
    expect(run.summary).toMatch(/\(max-image-size 10\.0MB ❌ exceeded\)/)
    expect(run.output).toMatch(/uncompressed, above max-image-size \(10\.0MB\)/)
    expect(smokeContainers(run)).toEqual([])
  }, 600_000)
})
