import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { cachedSteps } from '../../src/build/args.js'
import {
  copyDir,
  describeTestbed,
  engineEnv,
  expectMaskedEverywhere,
  freshBuildkitd,
  ROOT,
  runAction,
  runPost,
  serviceInputs,
  sh,
  stopFreshBuildkitd,
  tagPush,
  TESTBED_HOME,
  tinyContext,
  uniqueName,
  visibleLog,
  type ActionEvent,
  type ActionRun,
  type Testbed
} from './testbed.js'

/** The Bearer-token registry .ci/testbed.d/registry-token.sh started (bed.extra.registries). */
interface TokenRegistry {
  registry: string
  realm: string
  username: string
  password: string
}

interface Creds {
  registry: string
  username: string
  password: string
}

function tokenRegistry(bed: Testbed): TokenRegistry | undefined {
  return bed.extra.registries as unknown as TokenRegistry | undefined
}

/** Tags of `repo`, read with skopeo (not with the code under test). */
function tagsIn(c: Creds, repo: string): string[] {
  try {
    const out = sh('skopeo', [
      'list-tags',
      '--tls-verify=false',
      '--creds',
      `${c.username}:${c.password}`,
      `docker://${c.registry}/${repo}`
    ])
    return (JSON.parse(out) as { Tags: string[] | null }).Tags ?? []
  } catch (e) {
    if (/name unknown|NAME_UNKNOWN|404/i.test(String((e as { stderr?: string }).stderr ?? e)))
      return []
    throw e
  }
}

/** The digest a tag resolves to: the sha256 of the manifest bytes the registry serves. */
function digestIn(c: Creds, ref: string): string {
  const raw = execRaw('skopeo', [
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--creds',
    `${c.username}:${c.password}`,
    `docker://${c.registry}/${ref}`
  ])
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`
}

function execRaw(bin: string, args: string[]): Buffer {
  return Buffer.from(sh(bin, args), 'utf8')
}

const branchPush: ActionEvent = {
  name: 'push',
  ref: 'refs/heads/main',
  payload: { ref: 'refs/heads/main', repository: { default_branch: 'main', name: 'ml-service' } }
}

const pullRequest: ActionEvent = {
  name: 'pull_request',
  ref: 'refs/pull/11/merge',
  payload: {
    number: 11,
    pull_request: {
      number: 11,
      head: { ref: 'feature/y', sha: 'c'.repeat(40) },
      base: { ref: 'main' }
    },
    repository: { default_branch: 'main', name: 'ml-service' }
  }
}

/** registry-auth with one line per registry, in the given order. */
function registryAuth(...creds: Creds[]): string {
  return creds
    .map((c) => `registry=${c.registry},username=${c.username},password=${c.password}`)
    .join('\n')
}

function errorLines(run: ActionRun): string[] {
  return run.output.split('\n').filter((l) => l.startsWith('::error::'))
}

describeTestbed('several registries (Basic and Bearer token)', (bed) => {
  const tok = tokenRegistry(bed)
  if (!tok) {
    it('has the token registry of .ci/testbed.d/registry-token.sh', () => {
      throw new Error('bed.extra.registries is missing: run .ci/testbed.d/registry-token.sh')
    })
    return
  }
  const basic: Creds = { registry: bed.registry, username: bed.username, password: bed.password }
  const engine = bed.engines.find((e) => e.store === 'containerd')!
  const env = engineEnv(engine)
  /** No username/password inputs: every credential comes from registry-auth. */
  const inputs = (images: string[], extra: Record<string, string> = {}): Record<string, string> =>
    serviceInputs(bed, 'unused', {
      images: images.join('\n'),
      registry: '',
      username: '',
      password: '',
      builder: '',
      ...extra
    })

  for (const eng of bed.engines) {
    describe(`a v1.2.3 release to an image in each registry (${eng.store} image store)`, () => {
      const repoA = uniqueName(`acme/multi-basic-${eng.name}`)
      const repoB = uniqueName(`acme/multi-token-${eng.name}`)
      const images = [`${basic.registry}/${repoA}`, `${tok.registry}/${repoB}`]
      let run: ActionRun
      let post: ActionRun

      beforeAll(async () => {
        // containerd store: the daemon's own BuildKit; classic store: the test bed's remote BuildKit.
        const i = inputs(images, {
          'registry-auth': registryAuth(basic, tok),
          builder: eng.store === 'containerd' ? '' : bed.builder
        })
        run = await runAction(i, tagPush('v1.2.3'), { env: engineEnv(eng) })
        post = await runPost(run, i, tagPush('v1.2.3'), engineEnv(eng))
      }, 900_000)

      it('passes every stage, logging in to both registries with their own credentials', () => {
        if (run.code !== 0) console.log(run.output)
        expect(run.code).toBe(0)
        for (const stage of ['lint', 'meta', 'login', 'build', 'smoke', 'scan', 'push'])
          expect(run.summary).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
        expect(run.output).toContain(
          `$ docker login ${basic.registry} --username ${basic.username} --password-stdin`
        )
        expect(run.output).toContain(
          `$ docker login ${tok.registry} --username ${tok.username} --password-stdin`
        )
      })

      it('both registries serve every tag on the same, tested digest', () => {
        const digest = run.outputs.digest
        expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
        for (const [c, repo] of [
          [basic, repoA],
          [tok, repoB]
        ] as const) {
          expect(
            tagsIn(c, repo)
              .filter((t) => !t.startsWith('buildcache-'))
              .sort()
          ).toEqual(['1', '1.2', '1.2.3', 'latest', 'sha-a1b2c3d'].sort())
          for (const tag of ['1.2.3', '1.2', '1', 'latest'])
            expect(digestIn(c, `${repo}:${tag}`)).toBe(digest)
        }
        // The blobs went to each registry once: nothing to mount across registries.
        expect(run.output).toMatch(new RegExp(`${tok.registry}/${repoB}@${digest}: complete`))
      })

      it("keeps the cache in the first image's registry only", () => {
        expect(tagsIn(basic, repoA)).toContain('buildcache-main')
        expect(tagsIn(tok, repoB).filter((t) => t.startsWith('buildcache-'))).toEqual([])
      })

      it('masks both passwords everywhere and removes its Docker configuration', () => {
        for (const secret of [basic.password, tok.password]) {
          expectMaskedEverywhere(run.output, secret)
          expect(run.summary).not.toContain(secret)
          expect(visibleLog(post.output)).not.toContain(secret)
          expect(JSON.stringify(run.state)).not.toContain(secret)
        }
        const cleanup = JSON.parse(run.state.cleanup) as { dockerConfig: string }
        expect(existsSync(cleanup.dockerConfig)).toBe(false)
      })
    })
  }

  it('a release whose only image is on the token registry mounts blobs into a second repository there', async () => {
    const repo1 = uniqueName('acme/token-one')
    const repo2 = uniqueName('acme/token-two')
    const ctx = copyDir(path.join(ROOT, 'examples', 'ml-service'))
    const i = inputs([`${tok.registry}/${repo1}`, `${tok.registry}/${repo2}`], {
      context: ctx,
      'registry-auth': registryAuth(tok),
      smoke: 'false',
      scan: 'false'
    })
    const run = await runAction(i, tagPush('v0.1.0'), { env })
    await runPost(run, i, tagPush('v0.1.0'), env)
    if (run.code !== 0) console.log(run.output)
    expect(run.code).toBe(0)
    for (const repo of [repo1, repo2])
      expect(digestIn(tok, `${repo}:0.1.0`)).toBe(run.outputs.digest)
    // Every blob of the second repository was already there (the cache export) or mounted.
    const push = /\| push \| ✅ passed \|[^|]*\| ([^|]*)\|/.exec(run.summary)?.[1] ?? ''
    console.log(`token registry, two repositories: ${push.trim()}`)
    // What the registry itself saw, from its log (not from the code under test).
    const log = readFileSync(path.join(TESTBED_HOME, 'logs', 'registry-token.log'), 'utf8')
    const mounts = log
      .split('\n')
      .filter(
        (l) =>
          l.includes(`/v2/${repo2}/blobs/uploads/?`) &&
          l.includes('mount=') &&
          l.includes('http.response.status=201')
      )
    expect(mounts.length).toBeGreaterThan(0)
    const uploadsTo2 = log
      .split('\n')
      .filter(
        (l) => /http\.request\.method=PUT/.test(l) && l.includes(`/v2/${repo2}/blobs/uploads/`)
      )
    expect(uploadsTo2).toEqual([])
  }, 900_000)

  describe('the registry cache on the token registry', () => {
    const repo = uniqueName('acme/token-cache')
    const fresh: string[] = []

    afterAll(() => fresh.forEach(stopFreshBuildkitd))

    it('a run writes its cache there and a second run on a fresh builder reads it', async () => {
      const ctx = copyDir(path.join(ROOT, 'examples', 'ml-service'))
      const once = async (): Promise<ActionRun> => {
        const bk = await freshBuildkitd()
        fresh.push(bk.root)
        const i = inputs([`${tok.registry}/${repo}`], {
          context: ctx,
          'buildkit-endpoint': bk.endpoint,
          'registry-auth': registryAuth(tok),
          smoke: 'false',
          scan: 'false'
        })
        const run = await runAction(i, branchPush, { env })
        await runPost(run, i, branchPush, env)
        if (run.code !== 0) console.log(run.output)
        expect(run.code).toBe(0)
        return run
      }
      const cold = await once()
      expect(cold.output).toContain(
        `--cache-to type=registry,ref=${tok.registry}/${repo}:buildcache-main`
      )
      expect(tagsIn(tok, repo)).toContain('buildcache-main')
      appendFileSync(path.join(ctx, 'app', 'service.py'), '\n# code-only change\n')
      const warm = await once()
      const cached = cachedSteps(warm.output)
      console.log(
        `token registry cache, cached steps on a fresh builder:\n  ${cached.join('\n  ')}`
      )
      expect(warm.output).toMatch(
        new RegExp(`importing cache manifest from ${tok.registry}/${repo}:buildcache-main`)
      )
      expect(cached.some((s) => /pip install/.test(s))).toBe(true)
      expect(cached.some((s) => /COPY .*app/.test(s))).toBe(false)
    }, 1_200_000)
  })

  it('latest=highest reads the tags of the token registry: re-releasing 1.4.1 after 2.0.0 leaves latest', async () => {
    const repo = uniqueName('acme/token-latest')
    const release = async (tag: string): Promise<ActionRun> => {
      const i = {
        context: tinyContext(),
        images: `${tok.registry}/${repo}`,
        'registry-auth': registryAuth(tok),
        'build-args': `BASE_IMAGE=${bed.busyboxImage}`,
        tags: 'type=semver,pattern={{version}}',
        flavor: 'latest=highest',
        lint: 'false',
        smoke: 'false',
        scan: 'false',
        cache: 'off'
      }
      const run = await runAction(i, tagPush(tag), { env })
      await runPost(run, i, tagPush(tag), env)
      if (run.code !== 0) console.log(run.output)
      expect(run.code).toBe(0)
      return run
    }
    const v2 = await release('v2.0.0')
    const fix = await release('v1.4.1')
    expect(digestIn(tok, `${repo}:1.4.1`)).toBe(fix.outputs.digest)
    expect(digestIn(tok, `${repo}:latest`)).toBe(v2.outputs.digest)
    expect(fix.output).toContain('stays where it is: 2.0.0 is higher than 1.4.1 (latest=highest)')
  }, 300_000)

  it("scan-fail-on: new reads its baseline image from the token registry with the run's login", async () => {
    const repo = uniqueName('acme/token-baseline')
    const release = async (tag: string, extra: Record<string, string>): Promise<ActionRun> => {
      const i = {
        context: tinyContext(),
        images: `${tok.registry}/${repo}`,
        'registry-auth': registryAuth(tok),
        'build-args': `BASE_IMAGE=${bed.pythonImage}`,
        tags: 'type=semver,pattern={{version}}',
        lint: 'false',
        smoke: 'false',
        cache: 'off',
        'trivy-cache-dir': bed.trivyCacheVulnerable,
        'scan-skip-db-update': 'true',
        ...extra
      }
      const run = await runAction(i, tagPush(tag), { env })
      await runPost(run, i, tagPush(tag), env)
      if (run.code !== 0) console.log(run.output)
      return run
    }
    // The base carries a CRITICAL finding of the test DB: 1.0.0 is published without a scan.
    const first = await release('v1.0.0', { scan: 'false' })
    expect(first.code).toBe(0)
    // 1.0.1 has the same finding, so it is not new against 1.0.0, read from the token registry.
    const next = await release('v1.0.1', {
      'scan-fail-on': 'new',
      'scan-baseline': `${tok.registry}/${repo}:1.0.0`
    })
    expect(next.code).toBe(0)
    expect(next.outputs['scan-critical']).toBe('1')
    expect(next.output).toContain(
      `baseline: ${tok.registry}/${repo}:1.0.0 is ${first.outputs.digest}`
    )
    expect(next.output).toMatch(/vs baseline: 0 new, 0 fixed, [1-9]\d* unchanged/)
    expect(digestIn(tok, `${repo}:1.0.1`)).toBe(next.outputs.digest)
  }, 600_000)

  it('a pull request logs in nowhere and pushes nothing, whatever registry-auth holds', async () => {
    const repoA = uniqueName('acme/multi-pr-basic')
    const repoB = uniqueName('acme/multi-pr-token')
    const i = inputs([`${basic.registry}/${repoA}`, `${tok.registry}/${repoB}`], {
      'registry-auth': registryAuth(basic, tok),
      smoke: 'false',
      scan: 'false'
    })
    const run = await runAction(i, pullRequest, { env })
    await runPost(run, i, pullRequest, env)
    if (run.code !== 0) console.log(run.output)
    expect(run.code).toBe(0)
    expect(run.output).not.toMatch(/docker login/)
    expect(run.output).not.toContain('--password-stdin')
    expect(run.summary).toMatch(/\| login \| ⏭️ skipped/)
    expect(run.summary).toMatch(/\| push \| ⏭️ skipped/)
    // No temporary Docker configuration with credentials was ever made.
    const cleanup = JSON.parse(run.state.cleanup ?? '{}') as { dockerConfig?: string }
    expect(cleanup.dockerConfig).toBeUndefined()
    expect(tagsIn(basic, repoA)).toEqual([])
    expect(tagsIn(tok, repoB)).toEqual([])
    for (const secret of [basic.password, tok.password]) expectMaskedEverywhere(run.output, secret)
  }, 900_000)

  it('a wrong password for the token registry fails at login, in one line naming it', async () => {
    const repoA = uniqueName('acme/multi-bad-basic')
    const repoB = uniqueName('acme/multi-bad-token')
    const wrong = { ...tok, password: `${tok.password}-wrong` }
    const i = inputs([`${basic.registry}/${repoA}`, `${tok.registry}/${repoB}`], {
      'registry-auth': registryAuth(basic, wrong)
    })
    const run = await runAction(i, tagPush('v1.0.0'), { env })
    await runPost(run, i, tagPush('v1.0.0'), env)
    expect(run.code).not.toBe(0)
    expect(run.summary).toMatch(/\| login \| ❌ failed/)
    expect(run.summary).toMatch(/\| build \| ⏭️ skipped/)
    const errors = errorLines(run)
    console.log(`wrong token-registry password: ${errors.join(' | ')}`)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`Login to ${tok.registry} as ${tok.username} failed`)
    expect(errors[0]).toContain('Check the "registry-auth" input, line 2')
    expectMaskedEverywhere(run.output, wrong.password)
    expect(tagsIn(basic, repoA)).toEqual([])
    expect(tagsIn(tok, repoB)).toEqual([])
  }, 900_000)
})
