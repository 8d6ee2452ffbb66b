import { afterAll, expect, it } from '@jest/globals'
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import { cachedSteps } from '../../src/build/args.js'
import {
  copyDir,
  describeTestbed,
  freshBuildkitd,
  registryManifest,
  ROOT,
  runAction,
  runPost,
  serviceInputs,
  stopFreshBuildkitd,
  uniqueName,
  type ActionEvent
} from './testbed.js'

const branchPush: ActionEvent = {
  name: 'push',
  ref: 'refs/heads/main',
  payload: { ref: 'refs/heads/main', repository: { default_branch: 'main', name: 'ml-service' } }
}

describeTestbed('registry cache', (bed) => {
  const repo = uniqueName('acme/ml-service-cache')
  const fresh: { root: string }[] = []

  afterAll(() => fresh.forEach((f) => stopFreshBuildkitd(f.root)))

  it('a code-only change built on a fresh builder reuses the dependency layers from the registry cache', async () => {
    const ctx = copyDir(path.join(ROOT, 'examples', 'ml-service'))
    const inputs = (endpoint: string): Record<string, string> =>
      serviceInputs(bed, repo, {
        context: ctx,
        builder: '',
        'buildkit-endpoint': endpoint,
        smoke: 'false',
        scan: 'false'
      })

    /** One run of the action on a builder that has never built anything. */
    const runOnFreshBuilder = async (): Promise<Awaited<ReturnType<typeof runAction>>> => {
      const bk = await freshBuildkitd()
      fresh.push(bk)
      const run = await runAction(inputs(bk.endpoint), branchPush)
      await runPost(run, inputs(bk.endpoint), branchPush)
      if (run.code !== 0) console.log(run.output)
      expect(run.code).toBe(0)
      return run
    }

    const cold = await runOnFreshBuilder()
    expect(cold.output).toContain(`--cache-to type=registry,ref=${bed.registry}/${repo}:buildcache`)

    // The export compressed only what had no blob yet: the builder stage, with zstd. The image's
    // layers are the very gzip blobs that were pushed, not a second compression of them.
    const image = registryManifest(bed, `${repo}@${cold.outputs.digest}`).manifest.layers ?? []
    const cache = registryManifest(bed, `${repo}:buildcache-main`).manifest.layers ?? []
    expect(image.length).toBeGreaterThan(0)
    for (const l of image) {
      expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip')
      expect(cache.map((c) => c.digest)).toContain(l.digest)
    }
    expect(cache.map((c) => c.mediaType)).toContain('application/vnd.oci.image.layer.v1.tar+zstd')

    // A code-only change: the dependency layers must come from the registry cache.
    appendFileSync(path.join(ctx, 'app', 'service.py'), '\n# code-only change\n')
    const warm = await runOnFreshBuilder()

    const cached = cachedSteps(warm.output)
    console.log(
      `registry cache: cold build ${buildSeconds(cold.output)}s (run ${cold.seconds.toFixed(1)}s), ` +
        `warm build on a fresh builder ${buildSeconds(warm.output)}s (run ${warm.seconds.toFixed(1)}s); cached steps:\n  ${cached.join('\n  ')}`
    )
    expect(cached.some((s) => /pip install/.test(s))).toBe(true)
    expect(cached.some((s) => /requirements/.test(s))).toBe(true)
    // The changed code is rebuilt, not taken from the cache.
    expect(cached.some((s) => /COPY .*app/.test(s))).toBe(false)
  }, 1_200_000)
})

function buildSeconds(output: string): string {
  return /build passed in ([\d.]+)s/.exec(output)?.[1] ?? '?'
}
