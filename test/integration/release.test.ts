import { beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import {
  describeTestbed,
  engineEnv,
  expectMaskedEverywhere,
  registryManifest,
  registryTags,
  runAction,
  runPost,
  serviceInputs,
  sh,
  smokeContainers,
  uniqueName,
  visibleLog,
  type ActionRun,
  type Engine,
  type Testbed,
  tagPush
} from './testbed.js'

/**
 * On the containerd store the run uses the daemon's own BuildKit (no builder input); on the classic
 * store it uses the test bed's remote BuildKit, so both build paths are exercised.
 */
function inputsFor(
  bed: Testbed,
  engine: Engine,
  repo: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return serviceInputs(bed, repo, {
    builder: engine.store === 'containerd' ? '' : bed.builder,
    annotations: 'org.opencontainers.image.vendor=acme',
    ...extra
  })
}

describeTestbed('release path', (bed) => {
  for (const engine of bed.engines) {
    describe(`Docker 29, ${engine.store} image store`, () => {
      const repo = uniqueName(`acme/ml-service-${engine.name}`)
      const env = engineEnv(engine)
      let run: ActionRun
      let post: ActionRun

      beforeAll(async () => {
        const inputs = inputsFor(bed, engine, repo)
        run = await runAction(inputs, tagPush('v1.2.3'), { env })
        post = await runPost(run, inputs, tagPush('v1.2.3'), env)
      }, 900_000)

      it('passes every stage and pushes 1.2.3, 1.2, 1, latest, with the cache written by the build', () => {
        if (run.code !== 0) console.log(run.output)
        expect(run.code).toBe(0)
        for (const stage of ['lint', 'meta', 'login', 'build', 'smoke', 'scan', 'push']) {
          expect(run.summary).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
        }
        expect(registryTags(bed, repo).sort()).toEqual(
          ['1', '1.2', '1.2.3', 'buildcache-main', 'latest', 'sha-a1b2c3d'].sort()
        )
        // One build: no separate cache-only pass, no docker push.
        expect(run.output.match(/\$ docker buildx build /g)).toHaveLength(1)
        expect(run.output).not.toMatch(/\$ docker push /)
      })

      it(
        engine.store === 'containerd'
          ? "builds with the daemon's own BuildKit: the image lands in the store, its id is the manifest digest"
          : 'builds on the remote builder and loads the image; its id is the config digest',
        () => {
          if (engine.store === 'containerd') {
            expect(run.output).toMatch(
              /builder default \(docker, existing\); image built straight into the daemon store/
            )
            expect(run.outputs.imageid).toBe(run.outputs.digest)
          } else {
            expect(run.output).toMatch(
              new RegExp(
                `builder ${bed.builder} \\(remote, existing\\); an OCI layout for the scan and the push, loaded into the daemon beside the scan`
              )
            )
            expect(run.outputs.imageid).not.toBe(run.outputs.digest)
            // No type=docker output: the smoke test's image came from the layout the scan read.
            expect(run.output).not.toMatch(/--output type=docker/)
            expect(run.output).toMatch(/image loaded from the OCI layout in \d/)
          }
          expect(run.output).toMatch(/build finished [\d.]+s after the image existed/)
        }
      )

      it('every tag in the registry is the manifest that was smoke-tested and scanned', () => {
        const digest = run.outputs.digest
        expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
        // The smoke container ran the daemon's image; Trivy read the build's OCI layout at that digest.
        expect(run.output).toMatch(new RegExp(`\\$ docker run .*${run.outputs.imageid}`))
        expect(run.output).toMatch(new RegExp(`trivy image .*--input \\S+@${digest}`))
        for (const tag of ['1.2.3', '1.2', '1', 'latest']) {
          const served = registryManifest(bed, `${repo}:${tag}`)
          expect(served.digest).toBe(digest)
          if (engine.store === 'classic')
            expect(served.manifest.config.digest).toBe(run.outputs.imageid)
        }
        const local = sh('docker', [
          '--host',
          engine.dockerHost,
          'image',
          'inspect',
          '--format',
          '{{.Id}}',
          run.outputs.imageid
        ]).trim()
        expect(local).toBe(run.outputs.imageid)
      })

      it('the annotations input reaches the pushed manifest', () => {
        const { manifest } = registryManifest(bed, `${repo}:1.2.3`)
        expect(manifest.annotations?.['org.opencontainers.image.vendor']).toBe('acme')
        expect(manifest.annotations?.['org.opencontainers.image.version']).toBe('1.2.3')
      })

      it('logged in with --password-stdin and never printed the password', () => {
        expect(run.output).toContain('--password-stdin')
        expectMaskedEverywhere(run.output, bed.password)
        expect(run.summary).not.toContain(bed.password)
        expect(visibleLog(post.output)).not.toContain(bed.password)
        expect(JSON.stringify(run.outputs)).not.toContain(bed.password)
        expect(JSON.stringify(run.state)).not.toContain(bed.password)
      })

      it('removed the OCI layout, the temporary Docker config and the smoke container', () => {
        const cleanup = JSON.parse(run.state.cleanup) as { dockerConfig: string }
        expect(existsSync(cleanup.dockerConfig)).toBe(false)
        const layout = /--input (\S+)@/.exec(run.output)?.[1] ?? ''
        expect(layout).not.toBe('')
        expect(existsSync(layout)).toBe(false)
        const recorded = (JSON.parse(run.state.cleanup) as { containers: string[] }).containers
        expect(recorded).toHaveLength(1)
        expect(smokeContainers(run, engine)).toEqual([])
      })

      it('a prerelease tag pushes its version and does not move latest', async () => {
        const inputs = inputsFor(bed, engine, repo)
        const pre = await runAction(inputs, tagPush('v2.0.0-rc.1'), { env })
        await runPost(pre, inputs, tagPush('v2.0.0-rc.1'), env)
        if (pre.code !== 0) console.log(pre.output)
        expect(pre.code).toBe(0)
        const tags = registryTags(bed, repo)
        expect(tags).toContain('2.0.0-rc.1')
        expect(tags).not.toContain('2')
        expect(registryManifest(bed, `${repo}:latest`).digest).toBe(run.outputs.digest)
        // The code did not change: the second build came from the cache the first one wrote.
        expect(pre.output).toMatch(/CACHED/)
      }, 900_000)

      it('a release that fails the scan gate moves no tag', async () => {
        const failing = uniqueName(`acme/ml-service-vuln-${engine.name}`)
        const inputs = inputsFor(bed, engine, failing, {
          'trivy-cache-dir': bed.trivyCacheVulnerable
        })
        const r = await runAction(inputs, tagPush('v3.0.0'), { env })
        await runPost(r, inputs, tagPush('v3.0.0'), env)
        expect(r.code).not.toBe(0)
        expect(r.summary).toMatch(/\| scan \| ❌ failed/)
        expect(r.summary).toMatch(/\| push \| ⏭️ skipped/)
        // Only the build cache, which the build itself writes, may be there.
        expect(registryTags(bed, failing).filter((t) => !t.startsWith('buildcache-'))).toEqual([])
        expect(r.outputs.pushed).toBe('false')
      }, 900_000)
    })
  }
})
