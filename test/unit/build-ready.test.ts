import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { BuildPlan } from '../../src/build/args.js'
import { build, BuildError } from '../../src/build/index.js'
import { Docker } from '../../src/docker.js'
import type { RunOptions, RunResult } from '../../src/exec.js'
import { ConsoleLogger, type Logger } from '../../src/log.js'

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** One image's blobs as BuildKit's exporters write them. */
function image(tag: string) {
  const layer = Buffer.from(`layer of ${tag}`.repeat(1000))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag }))
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha(layer),
          size: layer.length
        }
      ]
    })
  )
  return { layer, config, manifest }
}

interface Script {
  /** The id the daemon gives the tag once "loaded": 'config' (classic) or 'manifest' (containerd). */
  store: 'config' | 'manifest'
  /** Time the cache export takes after the image exists. */
  exportMs: number
  /** index.json (written at exit) names another image. */
  indexNamesOther?: boolean
  /** The daemon's tag keeps naming an older image. */
  staleTag?: boolean
  exitCode?: number
}

/** A docker client whose `buildx build` writes a layout and "loads" the image like buildx does. */
class FakeBuildx extends Docker {
  ids = new Map<string, string>()
  exitedAt = 0
  loadedAt = 0
  loadedBytes = 0
  constructor(
    log: Logger,
    private readonly script: Script,
    private readonly plan: BuildPlan
  ) {
    super(log)
  }
  override withLog(): Docker {
    return this
  }
  override imageId(ref: string): Promise<string | undefined> {
    return Promise.resolve(this.ids.get(ref))
  }
  override async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (args[0] === 'load') {
      // What `docker load` does with the tar the build streams from the layout.
      let bytes = 0
      for await (const chunk of opts.stdin ?? []) bytes += chunk.length
      this.loadedBytes = bytes
      this.loadedAt = Date.now()
      this.ids.set(this.plan.tags[0], sha(image('new').config))
      return { code: 0, stdout: '', stderr: '', output: 'Loaded image\n', timedOut: false }
    }
    const dir = this.plan.layoutDir
    const img = image('new')
    const blobs = path.join(dir, 'blobs', 'sha256')
    mkdirSync(blobs, { recursive: true })
    if (this.script.staleTag) this.ids.set(this.plan.tags[0], sha('an older config'))
    await sleep(50)
    for (const b of [img.layer, img.config, img.manifest])
      writeFileSync(path.join(blobs, sha(b).slice(7)), b)
    if (!this.script.staleTag && !this.plan.loadFromLayout)
      this.ids.set(
        this.plan.tags[0],
        this.script.store === 'config' ? sha(img.config) : sha(img.manifest)
      )
    // The registry cache export: after the image exporters, before buildx exits.
    await sleep(this.script.exportMs)
    const named = this.script.indexNamesOther ? image('other').manifest : img.manifest
    writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: sha(named),
            size: named.length
          }
        ]
      })
    )
    writeFileSync(this.plan.metadataFile, JSON.stringify({ 'containerimage.digest': sha(named) }))
    this.exitedAt = Date.now()
    const code = this.script.exitCode ?? 0
    return { code, stdout: '', stderr: '', output: '#5 DONE 0.1s\n', timedOut: false }
  }
}

function setup(script: Script) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'build-ready-'))
  const plan: BuildPlan = {
    builder: 'b',
    context: dir,
    file: path.join(dir, 'Dockerfile'),
    tags: ['ml-docker-local/app:run-1'],
    labels: {},
    buildArgs: {},
    secretIds: [],
    target: '',
    platform: 'linux/amd64',
    cacheFrom: [],
    cacheTo: [],
    annotations: [],
    layoutDir: path.join(dir, 'oci'),
    metadataFile: path.join(dir, 'meta.json')
  }
  return { plan, docker: new FakeBuildx(new ConsoleLogger(), script, plan) }
}

describe('build: the gates start when the image exists, the cache export goes on', () => {
  for (const store of ['config', 'manifest'] as const) {
    it(`returns before buildx exits and identifies the image (${store} id)`, async () => {
      const { plan, docker } = setup({ store, exportMs: 600 })
      const b = await build(plan, {}, docker, { pollMs: 20 })
      const returnedAt = Date.now()
      expect(docker.exitedAt).toBe(0)
      const img = image('new')
      expect(b.digest).toBe(sha(img.manifest))
      expect(b.configDigest).toBe(sha(img.config))
      // The scan's view names exactly the tested manifest while buildx's index.json is absent.
      expect(existsSync(path.join(plan.layoutDir, 'index.json'))).toBe(false)
      const view = JSON.parse(readFileSync(path.join(b.view.dir, 'index.json'), 'utf8')) as {
        manifests: { digest: string }[]
      }
      expect(view.manifests.map((m) => m.digest)).toEqual([b.digest])
      expect((await b.view.readBlob(b.digest)).equals(img.manifest)).toBe(true)
      const done = await b.finished
      expect(docker.exitedAt).toBeGreaterThanOrEqual(returnedAt)
      expect(done.afterReady).toBeGreaterThan(0.3)
    })
  }

  it('loads the image from the layout while buildx still exports the cache (loadFromLayout)', async () => {
    const { plan, docker } = setup({ store: 'config', exportMs: 600 })
    plan.loadFromLayout = true
    const b = await build(plan, {}, docker, { pollMs: 20 })
    expect(docker.exitedAt).toBe(0)
    const img = image('new')
    expect(await b.loaded).toBe(sha(img.config))
    expect(b.imageId).toBe(sha(img.config))
    expect(docker.loadedAt).toBeGreaterThan(0)
    expect(docker.exitedAt).toBe(0)
    // The tar holds the manifest, config and layer (plus the layout's small files).
    expect(docker.loadedBytes).toBeGreaterThan(img.layer.length + img.config.length)
    const done = await b.finished
    expect(done.afterReady).toBeGreaterThan(0.3)
  })

  it("refuses the push when buildx's index.json names another image than the one tested", async () => {
    const { plan, docker } = setup({ store: 'config', exportMs: 200, indexNamesOther: true })
    const b = await build(plan, {}, docker, { pollMs: 20 })
    await expect(b.finished).rejects.toThrow(BuildError)
    await expect(b.finished).rejects.toThrow(/but the image tested is sha256:.*refusing to push/)
  })

  it('never calls an older image of the same tag ready, and says so when buildx is done', async () => {
    const { plan, docker } = setup({ store: 'config', exportMs: 100, staleTag: true })
    await expect(build(plan, {}, docker, { pollMs: 20 })).rejects.toThrow(
      /is sha256:[0-9a-f]{64}, which is not the manifest \(or its config\) the build wrote/
    )
  })

  it('reports a failed buildx as a build failure', async () => {
    const { plan, docker } = setup({ store: 'config', exportMs: 100, staleTag: true, exitCode: 1 })
    await expect(build(plan, {}, docker, { pollMs: 20 })).rejects.toThrow(
      /The build failed \(exit 1\)/
    )
  })
})
