import { afterEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildArgv, type BuildPlan } from '../../src/build/args.js'
import { builderNodes } from '../../src/build/builder.js'
import { indexAnnotations, indexOf, joinLayouts, nodePlans } from '../../src/build/nodes.js'
import {
  dockerManifestJson,
  nativeImageTar,
  platformView,
  singleImageIndex,
  tarHeader,
  tarStream
} from '../../src/build/native.js'
import {
  daemonPlatform,
  manifestFor,
  nativePlatform,
  parsePlatform,
  parsePlatforms,
  platformDigestLines,
  platformManifests
} from '../../src/build/platforms.js'
import { parseConfig } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import { computeMeta, type GitContext } from '../../src/meta/index.js'
import { planRun, type EngineFacts } from '../../src/plan.js'
import { pushLayout } from '../../src/push/index.js'
import { OciLayout, type ManifestNode } from '../../src/registry/layout.js'
import type { ScanResult } from '../../src/scan/index.js'
import { combineScans, platformScanDetail, scanOrder } from '../../src/scan/platforms.js'
import type { ScanFinding } from '../../src/scan/report.js'
import { FakeRegistry, sha } from '../support/fake-registry.js'

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const INDEX = 'application/vnd.oci.image.index.v1+json'

/**
 * A two-platform OCI layout as BuildKit writes it for `--platform linux/amd64,linux/arm64`: a
 * shared base layer, one layer per platform, one config per platform, the index, and index.json.
 * `attestation` adds BuildKit's unknown/unknown attestation manifest to the index.
 */
function makeIndexLayout(opts: { attestation?: boolean } = {}): {
  dir: string
  children: Record<string, string>
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-mp-layout-'))
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  const put = (b: Buffer | string): { digest: string; size: number } => {
    const buf = Buffer.from(b)
    const digest = sha(buf)
    writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), buf)
    return { digest, size: buf.length }
  }
  const shared = put(Buffer.alloc(3000, 7))
  const children: Record<string, string> = {}
  const descriptors: Record<string, unknown>[] = (['amd64', 'arm64'] as const).map((arch, i) => {
    const config = put(
      JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers' } })
    )
    const own = put(Buffer.alloc(1000 + i * 700, i + 1))
    const m = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [shared, own].map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          ...l
        }))
      })
    )
    children[`linux/${arch}`] = m.digest
    return { mediaType: MANIFEST, ...m, platform: { architecture: arch, os: 'linux' } }
  })
  if (opts.attestation) {
    const cfg = put('{}')
    const att = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
        layers: []
      })
    )
    descriptors.push({
      mediaType: MANIFEST,
      ...att,
      platform: { architecture: 'unknown', os: 'unknown' }
    })
  }
  const index = put(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: descriptors }))
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: INDEX, ...index, annotations: { 'org.opencontainers.image.ref.name': '1' } }
      ]
    })
  )
  return { dir, children }
}

async function loadTree(dir: string): Promise<{ layout: OciLayout; root: ManifestNode }> {
  const layout = new OciLayout(dir)
  return { layout, root: await layout.tree(await layout.root()) }
}

describe('platforms input', () => {
  it('parses os/arch[/variant] and spells each platform one way', () => {
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64' })
    expect(parsePlatform('linux/arm/v7')).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7'
    })
    expect(parsePlatform('arm64')).toBeUndefined()
    expect(parsePlatform('linux/amd64/v2/x')).toBeUndefined()
    expect(parsePlatforms(['linux/amd64', 'linux/arm64/v8', 'linux/arm64', 'Linux/ARM'])).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7'
    ])
  })

  it('refuses an entry that is not a platform, without echoing it', () => {
    expect(() => parsePlatforms(['linux/amd64', 'hunter2'])).toThrow(/entry 2 is not a platform/)
    expect(() => parsePlatforms(['linux/amd64', 'hunter2'])).not.toThrow(/hunter2/)
    expect(() =>
      parseConfig((n) => ({ platforms: 'linux/amd64,arm64' })[n], { cli: true })
    ).toThrow(/platforms.*os\/arch/)
  })

  it('accepts several platforms in the configuration', () => {
    const cfg = parseConfig((n) => ({ platforms: 'linux/amd64, linux/arm64' })[n], { cli: true })
    expect(cfg.platforms).toEqual(['linux/amd64', 'linux/arm64'])
  })

  it("maps the daemon's uname architecture to the OCI platform", () => {
    expect(daemonPlatform('linux', 'x86_64')).toBe('linux/amd64')
    expect(daemonPlatform('linux', 'aarch64')).toBe('linux/arm64')
    expect(daemonPlatform('linux', 'armv7l')).toBe('linux/arm/v7')
    expect(daemonPlatform('', 's390x')).toBe('linux/s390x')
  })

  it("chooses the daemon's platform as the native one, and refuses a list without it", () => {
    expect(nativePlatform(['linux/arm64', 'linux/amd64'], 'linux/amd64')).toBe('linux/amd64')
    expect(nativePlatform(['linux/amd64', 'linux/arm64'], 'linux/arm64/v8')).toBe('linux/arm64')
    expect(() => nativePlatform(['linux/arm64', 'linux/s390x'], 'linux/amd64')).toThrow(
      /does not include this machine's platform linux\/amd64.*Add it to "platforms"/
    )
  })
})

describe('a built index in the OCI layout', () => {
  it('lists each platform with its manifest digest, leaving attestations out', async () => {
    const { dir, children } = makeIndexLayout({ attestation: true })
    const { root } = await loadTree(dir)
    expect(platformManifests(root).map((m) => m.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    expect(manifestFor(root, 'linux/arm64').descriptor.digest).toBe(children['linux/arm64'])
    expect(manifestFor(root, 'linux/arm64/v8').descriptor.digest).toBe(children['linux/arm64'])
    expect(() => manifestFor(root, 'linux/s390x')).toThrow(/no linux\/s390x manifest/)
    expect(platformDigestLines(root)).toBe(
      `linux/amd64=${children['linux/amd64']}\nlinux/arm64=${children['linux/arm64']}`
    )
  })

  it('a single-platform manifest has no platform children', async () => {
    const { dir, children } = makeIndexLayout()
    const { layout } = await loadTree(dir)
    const single = await layout.tree({
      mediaType: MANIFEST,
      digest: children['linux/amd64'],
      size: 0
    })
    expect(platformManifests(single)).toEqual([])
  })

  it("a platform view lists only that platform's manifest and shares the blobs", async () => {
    const { dir, children } = makeIndexLayout()
    const { layout, root } = await loadTree(dir)
    const arm = manifestFor(root, 'linux/arm64')
    const view = path.join(mkdtempSync(path.join(os.tmpdir(), 'ml-docker-view-')), 'v')
    const input = await platformView(layout, arm, view)
    expect(input).toBe(`${view}@${children['linux/arm64']}`)
    const index = JSON.parse(readFileSync(path.join(view, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[]
    }
    expect(index.manifests.map((m) => m.digest)).toEqual([children['linux/arm64']])
    const viewed = new OciLayout(view)
    const again = await viewed.tree(await viewed.root())
    expect(again.descriptor.digest).toBe(children['linux/arm64'])
    expect(again.blobs).toEqual(arm.blobs)
  })
})

describe('loading the native platform', () => {
  it('names the image for both image stores: OCI index annotations and docker save manifest.json', async () => {
    const { dir } = makeIndexLayout()
    const { root } = await loadTree(dir)
    const amd = manifestFor(root, 'linux/amd64')
    const index = JSON.parse(singleImageIndex(amd, 'ml-docker-local/app:r1')) as {
      manifests: { digest: string; annotations: Record<string, string> }[]
    }
    expect(index.manifests).toHaveLength(1)
    expect(index.manifests[0].digest).toBe(amd.descriptor.digest)
    expect(index.manifests[0].annotations).toEqual({
      'io.containerd.image.name': 'docker.io/ml-docker-local/app:r1',
      'org.opencontainers.image.ref.name': 'r1'
    })
    const [m] = JSON.parse(dockerManifestJson(amd, 'ml-docker-local/app:r1')) as {
      Config: string
      RepoTags: string[]
      Layers: string[]
    }[]
    expect(m.Config).toBe(`blobs/${amd.blobs[0].digest.replace(':', '/')}`)
    expect(m.RepoTags).toEqual(['ml-docker-local/app:r1'])
    expect(m.Layers).toEqual(amd.blobs.slice(1).map((b) => `blobs/${b.digest.replace(':', '/')}`))
  })

  it('streams a tarball that tar reads back byte for byte, with only the native blobs', async () => {
    const { dir } = makeIndexLayout()
    const { layout, root } = await loadTree(dir)
    const amd = manifestFor(root, 'linux/amd64')
    const arm = manifestFor(root, 'linux/arm64')
    const chunks: Buffer[] = []
    for await (const c of tarStream(nativeImageTar(layout, amd, 'x/app:1'))) chunks.push(c)
    const tarball = Buffer.concat(chunks)
    expect(tarball.length % 512).toBe(0)
    const out = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-untar-'))
    execFileSync('tar', ['-x', '-C', out], { input: tarball })
    const names = execFileSync('tar', ['-t'], { input: tarball, encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort()
    const blob = (d: string): string => `blobs/${d.replace(':', '/')}`
    expect(names).toEqual(
      [
        'oci-layout',
        'index.json',
        'manifest.json',
        blob(amd.descriptor.digest),
        ...amd.blobs.map((b) => blob(b.digest))
      ].sort()
    )
    expect(names).not.toContain(blob(arm.descriptor.digest))
    for (const b of amd.blobs)
      expect(sha(readFileSync(path.join(out, blob(b.digest))))).toBe(b.digest)
  })

  it('refuses a blob whose size differs from its descriptor', async () => {
    const entries = [{ name: 'a', size: 5, data: Buffer.from('abc') }]
    await expect(
      (async () => {
        for await (const c of tarStream(entries)) void c
      })()
    ).rejects.toThrow(/a is 3 bytes, not 5/)
    expect(() => tarHeader('x'.repeat(101), 1)).toThrow(/name too long/)
  })
})

const plan: BuildPlan = {
  builder: 'b1',
  context: '/ctx',
  file: '/ctx/Dockerfile',
  tags: ['ml-docker-local/app:r1'],
  labels: {},
  buildArgs: {},
  secretIds: [],
  target: '',
  platform: 'linux/amd64,linux/arm64',
  cacheFrom: [],
  cacheTo: [],
  annotations: [],
  layoutDir: '/tmp/run/oci',
  metadataFile: '/tmp/run/meta.json'
}

describe('the one multi-platform build', () => {
  const outputs = (p: BuildPlan): string[] => {
    const argv = buildArgv(p)
    return argv.flatMap((a, i) => (a === '--output' ? [argv[i + 1]] : []))
  }
  it('builds every platform in one invocation', () => {
    expect(buildArgv(plan).filter((a) => a === '--platform')).toHaveLength(1)
    expect(buildArgv(plan)).toContain('linux/amd64,linux/arm64')
  })
  it('writes the index into the daemon and the layout when the exporter takes an index', () => {
    expect(outputs(plan).map((o) => o.split(',')[0])).toEqual(['type=docker', 'type=oci'])
  })
  it('writes only the layout when the native platform is loaded from it', () => {
    expect(outputs({ ...plan, loadFromLayout: true }).map((o) => o.split(',')[0])).toEqual([
      'type=oci'
    ])
  })
})

describe('planning a multi-platform run', () => {
  const ctx: GitContext = {
    eventName: 'push',
    sha: '0123456789abcdef0123456789abcdef01234567',
    ref: 'refs/tags/v1.2.3',
    payload: { repository: { default_branch: 'main' } },
    source: 'workflow'
  }
  const planFor = (platforms: string, engine: EngineFacts) => {
    const inputs: Record<string, string> = {
      images: 'reg.example:5000/team/app',
      platforms,
      annotations: 'index:org.opencontainers.image.vendor=acme',
      push: 'false'
    }
    const cfg = parseConfig((n) => inputs[n], { cli: true })
    const meta = computeMeta(
      { images: cfg.images, tags: '', flavor: '', labels: '', annotations: cfg.annotations },
      ctx,
      {}
    )
    return planRun({ cfg, meta, ctx, engine, runId: 'r1', reportDir: '/tmp/run' })
  }
  const containerd: EngineFacts = {
    store: 'containerd',
    version: '29.8.0',
    context: 'default',
    platform: 'linux/amd64'
  }
  const classic: EngineFacts = { ...containerd, store: 'classic' }

  it("containerd store, the daemon's BuildKit: the index goes into the store", () => {
    const p = planFor('linux/arm64,linux/amd64', containerd)
    expect(p.platform).toBe('linux/arm64,linux/amd64')
    expect(p.nativePlatform).toBe('linux/amd64')
    expect(p.path).toBe('daemon')
    expect(p.loadFromLayout).toBe(false)
    // An index exists now, so index annotations are kept.
    expect(p.annotations).toContain('annotation-index.org.opencontainers.image.vendor=acme')
  })
  it('classic store: the native platform is loaded from the layout', () => {
    const p = planFor('linux/amd64,linux/arm64', classic)
    expect(p.path).toBe('load')
    expect(p.loadFromLayout).toBe(true)
  })
  it('one platform: no native platform to pick; loaded from the layout unless the daemon built it', () => {
    const p = planFor('linux/amd64', classic)
    expect(p.nativePlatform).toBeUndefined()
    expect(p.loadFromLayout).toBe(true)
    expect(planFor('linux/amd64', containerd).loadFromLayout).toBe(false)
    expect(p.annotations).not.toContain('annotation-index.org.opencontainers.image.vendor=acme')
  })
  it('a builder with one node per platform: one build per platform, joined into one index', () => {
    const p = planFor('linux/amd64,linux/arm64', {
      ...classic,
      namedBuilderDriver: 'remote',
      namedBuilderNodes: 2
    })
    expect(p.perPlatformBuilds).toBe(true)
    expect(p.loadFromLayout).toBe(true)
    const one = planFor('linux/amd64,linux/arm64', {
      ...classic,
      namedBuilderDriver: 'remote',
      namedBuilderNodes: 1
    })
    expect(one.perPlatformBuilds).toBe(false)
    expect(planFor('linux/amd64', { ...classic, namedBuilderNodes: 2 }).perPlatformBuilds).toBe(
      false
    )
  })
  it('counts the nodes buildx inspect lists', () => {
    const inspect = [
      'Name:          ci',
      'Driver:        remote',
      '',
      'Nodes:',
      'Name:             ci-amd64',
      'Endpoint:         tcp://10.0.0.1:1234',
      'Platforms:        linux/amd64*',
      '',
      'Name:             ci-arm64',
      'Endpoint:         tcp://10.0.0.2:1234',
      'Platforms:        linux/arm64*'
    ].join('\n')
    expect(builderNodes(inspect)).toBe(2)
    expect(builderNodes(inspect.split('\n').slice(0, 8).join('\n'))).toBe(1)
  })
  it('refuses platforms this machine cannot run before anything is built', () => {
    expect(() => planFor('linux/arm64,linux/s390x', containerd)).toThrow(
      /does not include this machine's platform/
    )
  })
})

function scanResult(counts: Partial<ScanResult['counts']>, failing: ScanFinding[]): ScanResult {
  return {
    counts: { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0, ...counts },
    findings: failing,
    failing,
    ignoredUnfixed: 0,
    passed: failing.length === 0,
    reportPath: '/r/trivy-report.json',
    sarifPath: '/r/trivy-report.sarif',
    sbomPath: '/r/sbom.cdx.json',
    trivy: 'trivy',
    seconds: 2,
    image: 'app',
    db: { source: 'offline' },
    cacheDir: '/c',
    cacheSaved: [],
    vex: [],
    suppressed: { ignoreFile: 0, vex: 0 },
    failOn: 'all',
    packages: []
  } as unknown as ScanResult
}

describe('joining per-node builds into one index', () => {
  const multiPlan: BuildPlan = {
    ...plan,
    annotations: [
      'annotation-manifest.org.opencontainers.image.version=1.2.3',
      'annotation-index.org.opencontainers.image.vendor=acme'
    ],
    cacheTo: ['type=registry,ref=r/app:buildcache-main'],
    perPlatformBuilds: true,
    loadFromLayout: true,
    nativePlatform: 'linux/amd64',
    metadataFile: '/tmp/run/build-metadata.json'
  }
  it('plans one single-platform build per platform, the cache written once', () => {
    const parts = nodePlans(multiPlan, ['linux/amd64', 'linux/arm64'])
    expect(parts.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    expect(parts.map((p) => p.layoutDir)).toEqual([
      '/tmp/run/oci-linux-amd64',
      '/tmp/run/oci-linux-arm64'
    ])
    expect(parts.map((p) => p.metadataFile)).toEqual([
      '/tmp/run/build-metadata-linux-amd64.json',
      '/tmp/run/build-metadata-linux-arm64.json'
    ])
    expect(parts.map((p) => p.cacheTo.length)).toEqual([1, 0])
    for (const p of parts) {
      expect(p.annotations).toEqual(['annotation-manifest.org.opencontainers.image.version=1.2.3'])
      expect(buildArgv(p).filter((a) => a.startsWith('type=docker'))).toEqual([])
    }
    expect(indexAnnotations(multiPlan.annotations)).toEqual({
      'org.opencontainers.image.vendor': 'acme'
    })
  })

  it("joins the layouts: BuildKit's manifests byte for byte under an index with their platforms", async () => {
    const { dir, children } = makeIndexLayout()
    const { layout, root } = await loadTree(dir)
    // Two single-platform layouts, as two per-node builds write them.
    const parts = await Promise.all(
      ['linux/amd64', 'linux/arm64'].map(async (p) => {
        const view = path.join(mkdtempSync(path.join(os.tmpdir(), 'ml-docker-part-')), 'l')
        await platformView(layout, manifestFor(root, p), view)
        return { platform: p, dir: view }
      })
    )
    const dest = path.join(mkdtempSync(path.join(os.tmpdir(), 'ml-docker-joined-')), 'oci')
    const d = await joinLayouts(parts, dest, { 'org.opencontainers.image.vendor': 'acme' })
    const joined = new OciLayout(dest)
    const tree = await joined.tree(await joined.root())
    expect(tree.descriptor.digest).toBe(d.digest)
    expect(platformDigestLines(tree)).toBe(
      `linux/amd64=${children['linux/amd64']}\nlinux/arm64=${children['linux/arm64']}`
    )
    const index = JSON.parse(tree.bytes.toString('utf8')) as { annotations: Record<string, string> }
    expect(index.annotations).toEqual({ 'org.opencontainers.image.vendor': 'acme' })
    // Every blob is there and intact (readBlob checks the digest).
    for (const c of tree.children) for (const b of c.blobs) await joined.readBlob(b.digest)
    expect(
      indexOf([{ descriptor: tree.children[1].descriptor, platform: 'linux/arm64' }]).toString()
    ).toContain('"platform":{"os":"linux","architecture":"arm64"}')
  })

  it('refuses a part that is itself an index', async () => {
    const { dir } = makeIndexLayout()
    const dest = path.join(mkdtempSync(path.join(os.tmpdir(), 'ml-docker-joined-')), 'oci')
    await expect(joinLayouts([{ platform: 'linux/amd64', dir }], dest)).rejects.toThrow(
      /expected a single-platform image/
    )
  })
})

describe('scanning every platform', () => {
  const finding = (id: string): ScanFinding => ({
    kind: 'vulnerability',
    id,
    severity: 'CRITICAL',
    target: 'app',
    pkg: 'libx',
    installed: '1'
  })
  it('scans the native platform first', () => {
    const items = [{ platform: 'linux/arm64' }, { platform: 'linux/amd64' }]
    expect(scanOrder(items, 'linux/amd64').map((i) => i.platform)).toEqual([
      'linux/amd64',
      'linux/arm64'
    ])
  })
  it('fails the gate when any platform fails, with the worst count per severity', () => {
    const scans = [
      { platform: 'linux/amd64', digest: 'sha256:a', result: scanResult({ HIGH: 1 }, []) },
      {
        platform: 'linux/arm64',
        digest: 'sha256:b',
        result: scanResult({ CRITICAL: 2 }, [finding('CVE-1'), finding('CVE-2')])
      }
    ]
    const c = combineScans(scans)
    expect(c.passed).toBe(false)
    expect(c.counts).toMatchObject({ CRITICAL: 2, HIGH: 1 })
    expect(c.failing.map((f) => f.id)).toEqual(['CVE-1', 'CVE-2'])
    expect(c.reportPath).toBe('/r/trivy-report.json')
    expect(platformScanDetail(scans)).toMatch(
      /^linux\/amd64: 0 critical, 1 high.*; linux\/arm64: 2 critical, 0 high.* \(failed\)$/
    )
  })
  it('passes only when every platform passed, and lists a finding shared by both once', () => {
    const shared = [finding('CVE-9')]
    const c = combineScans([
      { platform: 'linux/amd64', digest: 'sha256:a', result: scanResult({}, []) },
      { platform: 'linux/arm64', digest: 'sha256:b', result: scanResult({}, []) }
    ])
    expect(c.passed).toBe(true)
    const both = combineScans([
      { platform: 'linux/amd64', digest: 'sha256:a', result: scanResult({ CRITICAL: 1 }, shared) },
      { platform: 'linux/arm64', digest: 'sha256:b', result: scanResult({ CRITICAL: 1 }, shared) }
    ])
    expect(both.failing).toHaveLength(1)
    expect(both.counts.CRITICAL).toBe(1)
  })
})

describe('pushing an index', () => {
  let registry: FakeRegistry | undefined
  afterEach(async () => {
    await registry?.stop()
    registry = undefined
  })

  it('sends every platform manifest and its blobs by digest, then the index, then the tags', async () => {
    registry = await new FakeRegistry().start()
    const r = registry.host
    const { dir, children } = makeIndexLayout()
    const { layout, root } = await loadTree(dir)
    const lines: string[] = []
    const log = new ConsoleLogger(
      (s) => lines.push(s),
      (s) => lines.push(s)
    )
    const tags = [`${r}/team/app:1.2.3`, `${r}/team/app:latest`]
    const result = await pushLayout(layout, root, tags, {
      log,
      credentials: () => undefined,
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 }
    })
    const index = root.descriptor.digest
    expect(result.digest).toBe(index)
    const puts = registry.requests
      .filter((q) => q.method === 'PUT' && q.path.includes('/manifests/'))
      .map((q) => q.path.slice(q.path.lastIndexOf('/') + 1))
    expect(puts).toEqual([
      children['linux/amd64'],
      children['linux/arm64'],
      index,
      '1.2.3',
      'latest'
    ])
    // Every blob of both platforms was in the registry before the first manifest.
    const firstManifest = registry.requests.findIndex(
      (q) => q.method === 'PUT' && q.path.includes('/manifests/')
    )
    const lastBlob = registry.requests
      .map((q) => q.path.includes('/blobs/uploads/'))
      .lastIndexOf(true)
    expect(lastBlob).toBeLessThan(firstManifest)
    const blobs = new Set(root.children.flatMap((c) => c.blobs.map((b) => b.digest)))
    expect(blobs.size).toBe(5) // shared layer once, two own layers, two configs
    for (const d of blobs) expect(registry.blobs.has(`team/app@${d}`)).toBe(true)
    for (const t of ['1.2.3', 'latest']) expect(registry.tags.get(`team/app:${t}`)).toBe(index)
  })
})
