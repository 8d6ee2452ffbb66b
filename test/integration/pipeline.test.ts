import { beforeAll, expect, it } from '@jest/globals'
import path from 'node:path'
import {
  copyDir,
  describeTestbed,
  engineEnv,
  expectMaskedEverywhere,
  registryTags,
  ROOT,
  runAction,
  runPost,
  serviceInputs,
  sh,
  smokeContainers,
  uniqueName,
  type ActionEvent,
  type Engine,
  type Testbed,
  tagPush
} from './testbed.js'

const baseInputs = (bed: Testbed, repo: string): Record<string, string> => serviceInputs(bed, repo)

describeTestbed('pull request', (bed) => {
  const repo = uniqueName('acme/ml-service-pr')
  const pr: ActionEvent = {
    name: 'pull_request',
    ref: 'refs/pull/7/merge',
    payload: {
      number: 7,
      pull_request: {
        number: 7,
        head: { ref: 'feature/x', sha: 'f'.repeat(40) },
        base: { ref: 'main' }
      },
      repository: { default_branch: 'main', name: 'ml-service' }
    }
  }
  let run: Awaited<ReturnType<typeof runAction>>

  beforeAll(async () => {
    run = await runAction(baseInputs(bed, repo), pr)
    await runPost(run, baseInputs(bed, repo), pr)
  }, 900_000)

  it('lints, builds, smoke-tests and scans, and pushes nothing', () => {
    if (run.code !== 0) console.log(run.output)
    expect(run.code).toBe(0)
    for (const stage of ['lint', 'meta', 'build', 'smoke', 'scan']) {
      expect(run.summary).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
    }
    expect(run.summary).toMatch(
      /\| push \| ⏭️ skipped \| {2}\| pull_request events are never pushed/
    )
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs['tag-names'].split('\n')).toContain('pr-7')
  })

  it('attempts no login and adds no tag to the registry', () => {
    expect(run.output).not.toMatch(/docker login/)
    expect(run.output).not.toContain('--password-stdin')
    expectMaskedEverywhere(run.output, bed.password)
    expect(registryTags(bed, repo)).toEqual([])
  })
})

describeTestbed('broken health check', (bed) => {
  const repo = uniqueName('acme/broken')
  const ctx = path.join(ROOT, 'test', 'fixtures', 'broken-health')

  it('fails at smoke within interval x retries plus a few seconds, shows probe output and logs, pushes nothing, leaves no container', async () => {
    const inputs = {
      ...baseInputs(bed, repo),
      context: ctx,
      'build-args': `BASE_IMAGE=${bed.busyboxImage}`
    }
    const run = await runAction(inputs, tagPush('v0.1.0'))
    await runPost(run, inputs, tagPush('v0.1.0'))
    expect(run.code).not.toBe(0)
    expect(run.summary).toMatch(/\| smoke \| ❌ failed/)
    // The scan runs beside the smoke test (both read the built image); the push never happens.
    expect(run.summary).toMatch(/\| scan \| ✅ passed/)
    expect(run.summary).toMatch(/\| push \| ⏭️ skipped/)
    // The fixture checks every 1s and gives up after 3 failures.
    const took = Number(/became unhealthy after ([\d.]+)s/.exec(run.output)?.[1])
    expect(took).toBeGreaterThan(0)
    expect(took).toBeLessThan(1 * 3 + 5)
    expect(run.output).toContain('health probe output')
    expect(run.output).toContain('model server probe failed: /health answered 503')
    expect(run.output).toContain('container logs')
    expect(run.output).toContain('loading model: weights file missing')
    expect(run.outputs.pushed).toBe('false')
    // The build wrote its cache (it runs before the gates); no image tag moved.
    expect(registryTags(bed, repo)).toEqual(['buildcache-main'])
    expect(smokeContainers(run)).toEqual([])
  }, 600_000)
})

describeTestbed('lint gate on the seed service', (bed) => {
  it('fails at lint with each finding annotated on its Dockerfile line, before any login or build', async () => {
    const ctx = copyDir(path.join(ROOT, 'test', 'fixtures', 'lint', 'seeds', '000'))
    const repo = uniqueName('acme/seed')
    const run = await runAction({ ...baseInputs(bed, repo), context: ctx }, tagPush('v1.0.0'))
    await runPost(run, { ...baseInputs(bed, repo), context: ctx }, tagPush('v1.0.0'))
    expect(run.code).not.toBe(0)
    expect(run.summary).toMatch(/\| lint \| ❌ failed/)
    expect(run.summary).toMatch(/\| build \| ⏭️ skipped/)
    const annotations = run.output.split('\n').filter((l) => /^::(error|warning|notice) /.test(l))
    const has = (level: string, rule: string, line: number): boolean =>
      annotations.some(
        (a) =>
          a.startsWith(`::${level} `) &&
          a.includes(`title=${rule}`) &&
          new RegExp(`[,\\s]line=${line}(,|::)`).test(a) &&
          /file=[^,]*Dockerfile/.test(a)
      )
    // Model files and caches shipped by COPY . . ; Redis inside the app container; root; unpinned apt.
    expect(has('warning', 'MLD002', 18)).toBe(true)
    expect(has('warning', 'MLD003', 18)).toBe(true)
    expect(has('warning', 'MLD019', 5)).toBe(true)
    expect(has('warning', 'MLD018', 24)).toBe(true)
    expect(has('warning', 'MLD012', 1)).toBe(true)
    expect(has('warning', 'DL3008', 5)).toBe(true)
    expect(has('notice', 'DL3015', 5)).toBe(true)
    expect(Number(run.outputs['lint-warnings'])).toBeGreaterThanOrEqual(10)
    expect(run.output).not.toMatch(/docker login|buildx build/)
    expect(registryTags(bed, repo)).toEqual([])
  }, 300_000)
})

describeTestbed('default builder (docker-container driver)', (bed) => {
  const pr: ActionEvent = {
    name: 'pull_request',
    ref: 'refs/pull/9/merge',
    payload: {
      number: 9,
      pull_request: { number: 9, head: { ref: 'f', sha: 'e'.repeat(40) }, base: { ref: 'main' } }
    }
  }
  const inputs = (repo: string): Record<string, string> =>
    serviceInputs(bed, repo, {
      builder: '',
      'buildkit-image': bed.buildkitImage,
      'buildkitd-config': bed.buildkitdConfig
    })
  const builderContainers = (engine: Engine, name: string): string[] =>
    sh('docker', ['--host', engine.dockerHost, 'ps', '-a', '--format', '{{.Names}}'])
      .split('\n')
      .filter((n) => n.startsWith(`buildx_buildkit_${name}`))

  for (const engine of bed.engines) {
    it(`${engine.store} image store: creates its own BuildKit container for the run, builds, tests and scans with it, and removes it once buildx has exited`, async () => {
      const env = engineEnv(engine)
      const run = await runAction(inputs(uniqueName('acme/ml-service-dc')), pr, { env })
      if (run.code !== 0) console.log(run.output)
      expect(run.code).toBe(0)
      const name =
        /buildx create --name (ml-docker-\S+) --driver docker-container --driver-opt network=host/.exec(
          run.output
        )?.[1]
      expect(name).toBeDefined()
      expect(run.output).toContain(`buildx build --builder ${name} `)
      expect(run.output).toContain(`buildx_buildkit_${name}0`)
      for (const stage of ['build', 'smoke', 'scan'])
        expect(run.summary).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
      // Removed by the main step, beside the gates: nothing is left for the post step.
      const cleanup = JSON.parse(run.state.cleanup ?? '{}') as { builder?: string }
      expect(cleanup.builder).toBeUndefined()
      expect(sh('docker', ['--host', engine.dockerHost, 'buildx', 'ls'])).not.toContain(name)
      expect(builderContainers(engine, name!)).toEqual([])
      await runPost(run, inputs('unused'), pr, env)
    }, 600_000)
  }
})
