import { beforeAll, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import path from 'node:path'
import {
  copyDir,
  describeTestbed,
  expectMaskedEverywhere,
  registryConfigDigest,
  registryTags,
  ROOT,
  runAction,
  runPost,
  serviceInputs,
  sh,
  smokeContainers,
  uniqueName,
  visibleLog,
  type ActionEvent,
  type Testbed
} from './testbed.js'

const baseInputs = (bed: Testbed, repo: string): Record<string, string> => serviceInputs(bed, repo)

const tagPush = (tag: string): ActionEvent => ({
  name: 'push',
  ref: `refs/tags/${tag}`,
  payload: {
    ref: `refs/tags/${tag}`,
    repository: {
      default_branch: 'main',
      name: 'ml-service',
      html_url: 'https://github.com/acme/ml-service'
    }
  }
})

describeTestbed('release on a version tag', (bed) => {
  const repo = uniqueName('acme/ml-service')
  let run: Awaited<ReturnType<typeof runAction>>
  let post: Awaited<ReturnType<typeof runAction>>

  beforeAll(async () => {
    run = await runAction(baseInputs(bed, repo), tagPush('v1.2.3'))
    post = await runPost(run, baseInputs(bed, repo), tagPush('v1.2.3'))
  }, 900_000)

  it('passes every stage and pushes 1.2.3, 1.2, 1 and latest', () => {
    if (run.code !== 0) console.log(run.output)
    expect(run.code).toBe(0)
    for (const stage of ['lint', 'meta', 'build', 'smoke', 'scan', 'push']) {
      expect(run.summary).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
    }
    expect(run.outputs.pushed).toBe('true')
    // buildcache: the registry cache, exported after every gate passed and the tags were pushed.
    expect(registryTags(bed, repo).sort()).toEqual(
      ['1', '1.2', '1.2.3', 'buildcache', 'latest', 'sha-a1b2c3d'].sort()
    )
    expect(run.outputs.version).toBe('1.2.3')
  })

  it('pushed the very image that was smoke-tested and scanned (config digest through the registry)', () => {
    expect(run.outputs.imageid).toMatch(/^sha256:[a-f0-9]{64}$/)
    for (const tag of ['1.2.3', '1.2', '1', 'latest']) {
      expect(registryConfigDigest(bed, `${repo}:${tag}`)).toBe(run.outputs.imageid)
    }
    expect(run.output).toContain(`healthy after`)
    expect(run.output).toMatch(/trivy.* image .*--format json/)
  })

  it('logged in with --password-stdin and never printed the password', () => {
    expect(run.output).toContain('--password-stdin')
    expectMaskedEverywhere(run.output, bed.password)
    expect(run.summary).not.toContain(bed.password)
    expect(visibleLog(post.output)).not.toContain(bed.password)
    expect(JSON.stringify(run.outputs)).not.toContain(bed.password)
    expect(JSON.stringify(run.state)).not.toContain(bed.password)
  })

  it('reported lint and scan counts and report paths', () => {
    expect(run.outputs['lint-errors']).toBe('0')
    expect(run.outputs['scan-critical']).toBe('0')
    expect(existsSync(run.outputs['scan-report'])).toBe(true)
    expect(existsSync(run.outputs['lint-sarif'])).toBe(true)
  })

  it('the post step removed the temporary Docker config and left no container', () => {
    const cleanup = JSON.parse(run.state.cleanup) as { dockerConfig: string }
    expect(cleanup.dockerConfig).toBeTruthy()
    expect(existsSync(cleanup.dockerConfig)).toBe(false)
    expect(smokeContainers()).toEqual([])
  })

  it('a prerelease tag pushes its version and does not move latest', async () => {
    const pre = await runAction(baseInputs(bed, repo), tagPush('v2.0.0-rc.1'))
    await runPost(pre, baseInputs(bed, repo), tagPush('v2.0.0-rc.1'))
    if (pre.code !== 0) console.log(pre.output)
    expect(pre.code).toBe(0)
    const tags = registryTags(bed, repo)
    expect(tags).toContain('2.0.0-rc.1')
    expect(tags).not.toContain('2')
    expect(tags).not.toContain('2.0')
    // latest still names the 1.2.3 image
    expect(registryConfigDigest(bed, `${repo}:latest`)).toBe(run.outputs.imageid)
  }, 900_000)
})

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
    expect(run.summary).toMatch(/\| scan \| ⏭️ skipped/)
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
    expect(registryTags(bed, repo)).toEqual([])
    expect(smokeContainers()).toEqual([])
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
  const builderContainers = (name: string): string[] =>
    sh('docker', ['ps', '-a', '--format', '{{.Names}}'])
      .split('\n')
      .filter((n) => n.startsWith(`buildx_buildkit_${name}`))

  if (bed.privilegedContainers) {
    it('creates its own BuildKit container for the run, builds, tests and scans with it, and the post step removes it', async () => {
      const run = await runAction(inputs(uniqueName('acme/ml-service-dc')), pr)
      const cleanup = JSON.parse(run.state.cleanup ?? '{}') as { builder?: string }
      const during = builderContainers(cleanup.builder ?? '?')
      await runPost(run, inputs('unused'), pr)
      if (run.code !== 0) console.log(run.output)
      expect(run.code).toBe(0)
      expect(run.output).toMatch(
        /buildx create --name ml-docker-\S+ --driver docker-container --driver-opt network=host/
      )
      expect(during).toEqual([`buildx_buildkit_${cleanup.builder}0`])
      for (const stage of ['build', 'smoke', 'scan'])
        expect(run.summary).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
      expect(sh('docker', ['buildx', 'ls'])).not.toContain(cleanup.builder)
      expect(builderContainers(cleanup.builder!)).toEqual([])
    }, 600_000)
  } else {
    it("EXEMPT here (no privileged containers): fails at build with docker's reason and leaves no builder behind", async () => {
      console.warn(
        'WARNING: privileged containers cannot start on this host, so the docker-container driver cannot run; ' +
          'checking its failure path instead of an end-to-end build.'
      )
      const run = await runAction(inputs(uniqueName('acme/ml-service-dc')), pr)
      await runPost(run, inputs('unused'), pr)
      expect(run.code).not.toBe(0)
      expect(run.output).toMatch(
        /buildx create --name (ml-docker-\S+) --driver docker-container --driver-opt network=host --driver-opt image=/
      )
      expect(run.summary).toMatch(
        /\| build \| ❌ failed \| [\d.]+s \| The docker-container builder did not start: .*operation not permitted/
      )
      const name = /buildx create --name (ml-docker-\S+)/.exec(run.output)![1]
      expect(sh('docker', ['buildx', 'ls'])).not.toContain(name)
      expect(builderContainers(name)).toEqual([])
    }, 300_000)
  }
})
