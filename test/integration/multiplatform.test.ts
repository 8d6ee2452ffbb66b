import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import type { GitContext } from '../../src/meta/index.js'
import { runPipeline, type PipelineResult } from '../../src/pipeline.js'
import {
  describeTestbed,
  registryManifest,
  registryTags,
  ROOT,
  sh,
  uniqueName,
  type Engine,
  type Testbed
} from './testbed.js'

/**
 * A two-platform release (linux/amd64 + linux/arm64) of a COPY-only image on the bed's two-platform
 * busybox base, on both image stores: on the containerd store with the daemon's own BuildKit (the
 * index goes into the store), on the classic store with the bed's remote BuildKit (the native
 * platform is loaded from the OCI layout). Runs the pipeline from the sources.
 */

interface MultiBed {
  image: string
  digest: string
  platforms: Record<string, string>
}

interface IndexManifest {
  mediaType: string
  manifests: { digest: string; platform?: { os: string; architecture: string } }[]
}

const CONTEXT = path.join(ROOT, 'test', 'fixtures', 'multiplatform')
const PLATFORMS = 'linux/amd64,linux/arm64'

const tagPush = (tag: string): GitContext => ({
  eventName: 'push',
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  ref: `refs/tags/${tag}`,
  payload: { repository: { default_branch: 'main', name: 'ml-service' } },
  source: 'workflow'
})

interface Run {
  result: PipelineResult
  output: string
  seconds: number
}

/** Runs the pipeline against one engine (DOCKER_HOST for every docker call it makes). */
async function release(
  bed: Testbed,
  engine: Engine,
  repo: string,
  tag: string,
  extra: Record<string, string> = {}
): Promise<Run> {
  const multi = bed.extra.multiplatform as unknown as MultiBed
  const inputs: Record<string, string> = {
    context: CONTEXT,
    images: `${bed.registry}/${repo}`,
    registry: bed.registry,
    username: bed.username,
    password: bed.password,
    platforms: PLATFORMS,
    'build-args': `BASE_IMAGE=${multi.image}`,
    builder: engine.store === 'containerd' ? '' : bed.builder,
    'trivy-cache-dir': bed.trivyCacheClean,
    'scan-skip-db-update': 'true',
    'smoke-timeout': '30',
    ...extra
  }
  const lines: string[] = []
  const log = new ConsoleLogger(
    (s) => lines.push(s),
    (s) => lines.push(s)
  )
  const cfg = parseConfig((n) => inputs[n], { cli: true, setSecret: (v) => log.secret(v) })
  const saved = process.env.DOCKER_HOST
  process.env.DOCKER_HOST = engine.dockerHost
  const started = Date.now()
  try {
    const result = await runPipeline(cfg, {
      log,
      env: { ...process.env, RUNNER_TEMP: mkdtempSync(path.join(os.tmpdir(), 'ml-docker-mp-')) },
      context: tagPush(tag),
      runId: uniqueName('mp')
    })
    return { result, output: lines.join('\n'), seconds: (Date.now() - started) / 1000 }
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST
    else process.env.DOCKER_HOST = saved
  }
}

/** One platform's manifest, fetched by digest through the registry (and checked against it). */
function manifestByDigest(
  bed: Testbed,
  repo: string,
  digest: string
): { config: { digest: string }; layers: { digest: string }[] } {
  const raw = sh('curl', [
    '-sf',
    '-u',
    `${bed.username}:${bed.password}`,
    '-H',
    'Accept: application/vnd.oci.image.manifest.v1+json',
    `http://${bed.registry}/v2/${repo}/manifests/${digest}`
  ])
  expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(digest)
  return JSON.parse(raw) as { config: { digest: string }; layers: { digest: string }[] }
}

function inspect(engine: Engine, args: string[]): string {
  return sh('docker', ['--host', engine.dockerHost, 'image', 'inspect', ...args]).trim()
}

function seconds(r: PipelineResult, stage: string): number {
  return r.stages.find((s) => s.name === stage)?.seconds ?? NaN
}

describeTestbed('multi-platform release', (bed) => {
  const multi = bed.extra.multiplatform as unknown as MultiBed | undefined
  if (!multi) {
    it('has the two-platform base (.ci/testbed.d/multiplatform.sh)', () => {
      throw new Error('bed.extra.multiplatform is missing: run .ci/testbed.d/multiplatform.sh')
    })
    return
  }

  for (const engine of bed.engines) {
    describe(`Docker 29, ${engine.store} image store`, () => {
      const repo = uniqueName(`acme/ml-multi-${engine.name}`)
      let run: Run
      let index: IndexManifest
      let indexDigest: string
      let byPlatform: Record<string, string>

      beforeAll(async () => {
        run = await release(bed, engine, repo, 'v1.2.3')
        if (!run.result.ok) console.log(`${run.output}\n${run.result.error}`)
        const served = registryManifest(bed, `${repo}:1.2.3`)
        index = served.manifest as unknown as IndexManifest
        indexDigest = served.digest
        byPlatform = Object.fromEntries(
          index.manifests
            .filter((m) => m.platform && m.platform.os !== 'unknown')
            .map((m) => [`${m.platform!.os}/${m.platform!.architecture}`, m.digest])
        )
        console.log(
          `multi-platform release (${engine.store}): build ${seconds(run.result, 'build').toFixed(1)}s, ` +
            `smoke ${seconds(run.result, 'smoke').toFixed(1)}s, scan ${seconds(run.result, 'scan').toFixed(1)}s, ` +
            `push ${seconds(run.result, 'push').toFixed(1)}s, total ${run.seconds.toFixed(1)}s` +
            (run.result.build?.loadSeconds !== undefined
              ? `; native platform loaded in ${run.result.build.loadSeconds.toFixed(2)}s`
              : '')
        )
      }, 600_000)

      afterAll(() => {
        const id = run?.result.outputs.imageid
        if (id) sh('docker', ['--host', engine.dockerHost, 'image', 'rm', '-f', id])
      })

      it('passes every stage in one buildx build and pushes 1.2.3, 1.2, 1, latest', () => {
        expect(run.result.error).toBeUndefined()
        expect(run.result.ok).toBe(true)
        expect(run.result.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
          'lint:passed',
          'meta:passed',
          'login:passed',
          'build:passed',
          'smoke:passed',
          'scan:passed',
          'push:passed',
          'publish:skipped'
        ])
        expect(run.output.match(/\$ docker buildx build /g)).toHaveLength(1)
        expect(run.output).toMatch(/--platform linux\/amd64,linux\/arm64 /)
        expect(
          registryTags(bed, repo)
            .filter((t) => !t.startsWith('buildcache-'))
            .sort()
        ).toEqual(['1', '1.2', '1.2.3', 'latest', 'sha-a1b2c3d'].sort())
      })

      it('the registry holds one index with linux/amd64 and linux/arm64; every tag names it', () => {
        expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json')
        expect(Object.keys(byPlatform).sort()).toEqual(['linux/amd64', 'linux/arm64'])
        expect(indexDigest).toBe(run.result.outputs.digest)
        for (const tag of ['1.2', '1', 'latest'])
          expect(registryManifest(bed, `${repo}:${tag}`).digest).toBe(indexDigest)
        expect(run.result.outputs['platform-digests'].split('\n').sort()).toEqual(
          Object.entries(byPlatform)
            .map(([p, d]) => `${p}=${d}`)
            .sort()
        )
        // Each platform's manifest is the arch it claims, and the arm64 one carries arm64 busybox.
        for (const [p, d] of Object.entries(byPlatform)) {
          const m = manifestByDigest(bed, repo, d)
          const config = JSON.parse(
            sh('curl', [
              '-sf',
              '-u',
              `${bed.username}:${bed.password}`,
              `http://${bed.registry}/v2/${repo}/blobs/${m.config.digest}`
            ])
          ) as { architecture: string }
          expect(`linux/${config.architecture}`).toBe(p)
          const base = JSON.parse(
            sh('curl', [
              '-sf',
              '-H',
              'Accept: application/vnd.oci.image.manifest.v1+json',
              `http://${bed.baseRegistry}/v2/testbed/busybox-multi/manifests/${multi.platforms[p]}`
            ])
          ) as { layers: { digest: string }[] }
          const baseLayers = base.layers.map((l) => l.digest)
          expect(m.layers.map((l) => l.digest).slice(0, baseLayers.length)).toEqual(baseLayers)
        }
      })

      it('the amd64 manifest in the registry is the image the smoke test ran', () => {
        const id = run.result.outputs.imageid
        expect(run.output).toMatch(new RegExp(`\\$ docker run .*${id}`))
        expect(run.result.smoke?.passed).toBe(true)
        const amd64 = byPlatform['linux/amd64']
        if (engine.store === 'containerd') {
          // The daemon holds the index itself; its amd64 image is the pushed amd64 manifest.
          expect(id).toBe(indexDigest)
          expect(inspect(engine, ['--platform', 'linux/amd64', '--format', '{{.Id}}', id])).toBe(
            amd64
          )
        } else {
          // The classic store knows the loaded image by its config: the amd64 manifest's config.
          expect(run.result.build?.loadSeconds).toBeGreaterThan(0)
          expect(id).toBe(manifestByDigest(bed, repo, amd64).config.digest)
        }
        expect(inspect(engine, ['--format', '{{.Architecture}}', id])).toBe('amd64')
      })

      it('scanned each platform at its own manifest', () => {
        for (const d of Object.values(byPlatform))
          expect(run.output).toMatch(new RegExp(`trivy image .*--input \\S+@${d}`))
        const scan = run.result.stages.find((s) => s.name === 'scan')!
        expect(scan.detail).toMatch(/^linux\/amd64: 0 critical.*; linux\/arm64: 0 critical/)
        const reports: Record<string, string> = {
          'linux/amd64': path.join(run.result.reportDir, 'trivy-report.json'),
          'linux/arm64': path.join(run.result.reportDir, 'scan-linux-arm64', 'trivy-report.json')
        }
        for (const [p, file] of Object.entries(reports)) {
          expect(existsSync(file)).toBe(true)
          const report = JSON.parse(readFileSync(file, 'utf8')) as {
            Metadata: { ImageConfig: { architecture: string } }
          }
          expect(`linux/${report.Metadata.ImageConfig.architecture}`).toBe(p)
        }
      })

      it('a failing gate pushes nothing: a health check that never passes', async () => {
        const failing = uniqueName(`acme/ml-multi-broken-${engine.name}`)
        const r = await release(bed, engine, failing, 'v2.0.0', {
          file: path.join(CONTEXT, 'broken.Dockerfile')
        })
        const id = r.result.outputs.imageid
        if (id) sh('docker', ['--host', engine.dockerHost, 'image', 'rm', '-f', id])
        expect(r.result.ok).toBe(false)
        expect(r.result.failedStage).toBe('smoke')
        expect(r.result.stages.find((s) => s.name === 'push')?.status).toBe('skipped')
        expect(r.result.outputs.pushed).toBe('false')
        // Only the build cache, which the build itself writes, may be there.
        expect(registryTags(bed, failing).filter((t) => !t.startsWith('buildcache-'))).toEqual([])
      }, 600_000)

      it('a builder with one node per platform: one build per node, one index, the same gates', async () => {
        // Two remote nodes, one per platform. Both reach the bed's one BuildKit daemon (buildx
        // refuses the same endpoint twice, hence the second spelling); buildx routes each
        // platform's build to the node that declares it, as it would to two machines.
        const name = uniqueName('ml-docker-it-nodes')
        const socket = bed.buildkitdSocket.replace(/\/([^/]+)$/, '/./$1')
        sh('docker', [
          'buildx',
          'create',
          '--name',
          name,
          '--driver',
          'remote',
          '--node',
          `${name}-amd64`,
          '--platform',
          'linux/amd64',
          bed.buildkitdSocket
        ])
        const nodesRepo = uniqueName(`acme/ml-multi-nodes-${engine.name}`)
        let r: Run
        try {
          sh('docker', [
            'buildx',
            'create',
            '--append',
            '--name',
            name,
            '--node',
            `${name}-arm64`,
            '--platform',
            'linux/arm64',
            socket
          ])
          r = await release(bed, engine, nodesRepo, 'v1.2.3', { builder: name })
        } finally {
          sh('docker', ['buildx', 'rm', name])
        }
        const id = r.result.outputs.imageid
        if (id) sh('docker', ['--host', engine.dockerHost, 'image', 'rm', '-f', id])
        if (!r.result.ok) console.log(`${r.output}\n${r.result.error}`)
        expect(r.result.ok).toBe(true)
        const builds = r.output.match(/\$ docker buildx build .*--platform (\S+) /g) ?? []
        expect(builds.map((b) => /--platform (\S+) /.exec(b)![1]).sort()).toEqual([
          'linux/amd64',
          'linux/arm64'
        ])
        const served = registryManifest(bed, `${nodesRepo}:1.2.3`)
        expect(served.digest).toBe(r.result.outputs.digest)
        const idx = served.manifest as unknown as IndexManifest
        const platforms = Object.fromEntries(
          idx.manifests.map((m) => [`${m.platform!.os}/${m.platform!.architecture}`, m.digest])
        )
        expect(Object.keys(platforms).sort()).toEqual(['linux/amd64', 'linux/arm64'])
        // The smoke test ran the amd64 manifest: loaded from the joined layout on either store.
        const amd64 = platforms['linux/amd64']
        expect(id).toBe(
          engine.store === 'containerd'
            ? amd64
            : manifestByDigest(bed, nodesRepo, amd64).config.digest
        )
        expect(r.output).toMatch(
          new RegExp(`trivy image .*--input \\S+@${platforms['linux/arm64']}`)
        )
      }, 600_000)
    })
  }
})
