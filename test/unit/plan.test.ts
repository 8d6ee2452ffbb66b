import { describe, expect, it } from '@jest/globals'
import { parseConfig } from '../../src/config.js'
import { computeMeta, type GitContext } from '../../src/meta/index.js'
import {
  chooseBuilder,
  exporterAnnotations,
  planCache,
  planRun,
  type EngineFacts
} from '../../src/plan.js'
import { highestRelease } from '../../src/push/latest.js'

const containerd: EngineFacts = { store: 'containerd', version: '29.8.0', context: 'default' }
const classic: EngineFacts = { store: 'classic', version: '29.8.0', context: 'default' }

const tagPush: GitContext = {
  eventName: 'push',
  sha: '0123456789abcdef0123456789abcdef01234567',
  ref: 'refs/tags/v1.2.3',
  payload: { repository: { default_branch: 'main' } },
  source: 'workflow'
}
const pr: GitContext = {
  eventName: 'pull_request',
  sha: 'f'.repeat(40),
  ref: 'refs/pull/7/merge',
  payload: {
    number: 7,
    pull_request: { number: 7, base: { ref: 'release/2' } },
    repository: { default_branch: 'main' }
  },
  source: 'workflow'
}

function plan(
  inputs: Record<string, string>,
  ctx: GitContext = tagPush,
  engine: EngineFacts = containerd
) {
  const cfg = parseConfig((n) => inputs[n], { cli: true })
  const meta = computeMeta(
    {
      images: cfg.images,
      tags: cfg.tags,
      flavor: cfg.flavor,
      labels: cfg.labels,
      annotations: cfg.annotations
    },
    ctx,
    {}
  )
  return planRun({ cfg, meta, ctx, engine, runId: 'r1', reportDir: '/tmp/run' })
}

const base = {
  images: 'reg.example:5000/team/app',
  registry: 'reg.example:5000',
  username: 'ci',
  password: 'pw'
}

describe('planRun', () => {
  it('a version tag pushes version tags first and latest last, after a login to the registry', () => {
    const p = plan(base)
    expect(p.push.push).toBe(true)
    expect(p.pushTags).toEqual([
      'reg.example:5000/team/app:1.2.3',
      'reg.example:5000/team/app:1.2',
      'reg.example:5000/team/app:1',
      'reg.example:5000/team/app:sha-0123456',
      'reg.example:5000/team/app:latest'
    ])
    expect(p.logins).toEqual([
      { registry: 'reg.example:5000', username: 'ci', source: { kind: 'inputs' } }
    ])
    expect(p.layoutDir).toBe('/tmp/run/oci')
  })
  it('knows a flavored latest (latest-gpu) is the floating tag', () => {
    const p = plan({ ...base, flavor: 'suffix=-gpu,onlatest=true' })
    expect(p.pushTags[p.pushTags.length - 1]).toBe('reg.example:5000/team/app:latest-gpu')
    expect(p.pushTags[0]).toBe('reg.example:5000/team/app:1.2.3-gpu')
  })
  it('a pull request logs in nowhere, pushes nothing and only reads the cache', () => {
    const p = plan(base, pr)
    expect(p.push.push).toBe(false)
    expect(p.logins).toEqual([])
    expect(p.pushTags).toEqual([])
    expect(p.cache.to).toEqual([])
    expect(p.cache.from).toEqual([
      'type=registry,ref=reg.example:5000/team/app:buildcache-release-2',
      'type=registry,ref=reg.example:5000/team/app:buildcache-main'
    ])
  })
  it('refuses, before any side effect, a push with no tag', () => {
    expect(() => plan({ ...base, tags: 'type=ref,event=pr' })).toThrow(/produced no tag/)
  })
  describe('several registries', () => {
    const several = {
      ...base,
      images: 'reg.example:5000/team/app\nregistry.example.com/acme/app\nacme/app',
      'registry-auth':
        'registry=registry.example.com,username=bot,password=t0k,en\n# Docker Hub\nregistry=index.docker.io,username=acme,password=hub'
    }
    it('logs in to every registry an image names, each with its own credential', () => {
      const p = plan(several)
      expect(p.logins).toEqual([
        { registry: 'reg.example:5000', username: 'ci', source: { kind: 'inputs' } },
        {
          registry: 'registry.example.com',
          username: 'bot',
          source: { kind: 'registry-auth', line: 1 }
        },
        { registry: 'docker.io', username: 'acme', source: { kind: 'registry-auth', line: 3 } }
      ])
      // Version tags first in every registry, latest last everywhere.
      expect(p.pushTags.slice(0, 3)).toEqual([
        'reg.example:5000/team/app:1.2.3',
        'registry.example.com/acme/app:1.2.3',
        'acme/app:1.2.3'
      ])
      expect(p.pushTags.slice(-3)).toEqual([
        'reg.example:5000/team/app:latest',
        'registry.example.com/acme/app:latest',
        'acme/app:latest'
      ])
    })
    it("the cache lives in the first image's registry", () => {
      const p = plan({
        ...several,
        images: 'registry.example.com/acme/app\nreg.example:5000/team/app'
      })
      expect(p.cache.to[0]).toMatch(
        /^type=registry,ref=registry\.example\.com\/acme\/app:buildcache-/
      )
    })
    it('a registry without a line or username falls back to the Docker client configuration', () => {
      const p = plan({
        ...several,
        images: 'reg.example:5000/team/app\nother.example.com/acme/app'
      })
      expect(p.logins[1]).toEqual({
        registry: 'other.example.com',
        username: '',
        source: { kind: 'docker-config' }
      })
    })
    it('without any credential input, logs in nowhere (the Docker client configuration is used as it is)', () => {
      const p = plan({ images: 'registry.example.com/acme/app\nacme/app' })
      expect(p.push.push).toBe(true)
      expect(p.logins).toEqual([])
    })
    it('a pull request logs in nowhere, whatever credentials are given', () => {
      const p = plan(several, pr)
      expect(p.push.push).toBe(false)
      expect(p.logins).toEqual([])
      expect(p.pushTags).toEqual([])
      expect(p.cache.to).toEqual([])
    })
    it('logs in only where an image lives, not to every registry-auth line', () => {
      const p = plan({ ...several, images: 'registry.example.com/acme/app' })
      expect(p.logins.map((l) => l.registry)).toEqual(['registry.example.com'])
    })
  })
  it('turns annotations into exporter options for the manifest', () => {
    const p = plan({ ...base, annotations: 'org.opencontainers.image.vendor=acme' })
    expect(p.annotations).toContain('annotation-manifest.org.opencontainers.image.vendor=acme')
    expect(p.annotations).toContain('annotation-manifest.org.opencontainers.image.version=1.2.3')
  })
})

describe('chooseBuilder', () => {
  const none = { builder: '', buildkitEndpoint: '', buildkitImage: '', buildkitdConfig: '' }
  it("uses the daemon's own BuildKit on the containerd store", () => {
    expect(chooseBuilder(none, containerd, 'r')).toEqual({
      builder: { mode: 'use', name: 'default', driver: 'docker' },
      path: 'daemon'
    })
    expect(chooseBuilder(none, { ...containerd, context: 'desktop-linux' }, 'r').builder.name).toBe(
      'desktop-linux'
    )
  })
  it('creates a docker-container builder on the classic store, or when its image/config is given', () => {
    expect(chooseBuilder(none, classic, 'r')).toEqual({
      builder: { mode: 'create', name: 'ml-docker-r', driver: 'docker-container' },
      path: 'load'
    })
    expect(chooseBuilder({ ...none, buildkitImage: 'm/bk' }, containerd, 'r').path).toBe('load')
  })
  it('uses a remote endpoint or a named builder as it is', () => {
    expect(
      chooseBuilder({ ...none, buildkitEndpoint: 'tcp://bk:1234' }, containerd, 'r').builder.driver
    ).toBe('remote')
    expect(
      chooseBuilder({ ...none, builder: 'x' }, { ...classic, namedBuilderDriver: 'remote' }, 'r')
    ).toEqual({
      builder: { mode: 'use', name: 'x', driver: 'remote' },
      path: 'load'
    })
    expect(
      chooseBuilder({ ...none, builder: 'x' }, { ...containerd, namedBuilderDriver: 'docker' }, 'r')
        .path
    ).toBe('daemon')
  })
  it('refuses a docker-driver builder on the classic store with what to change', () => {
    expect(() =>
      chooseBuilder(
        { ...none, builder: 'default' },
        { ...classic, namedBuilderDriver: 'docker' },
        'r'
      )
    ).toThrow(/classic image store.*containerd image store/)
  })
})

describe('planCache', () => {
  const auto = {
    mode: 'auto' as const,
    ref: '',
    exportMode: 'max' as const,
    compression: 'zstd' as const
  }
  const branch = { ref: 'refs/heads/feature/x', defaultBranch: 'main' }
  it('scopes the cache per image and branch, falling back to the default branch', () => {
    const p = planCache(auto, ['127.0.0.1:5000/team/app'], true, branch)
    expect(p.from).toEqual([
      'type=registry,ref=127.0.0.1:5000/team/app:buildcache-feature-x',
      'type=registry,ref=127.0.0.1:5000/team/app:buildcache-main'
    ])
    expect(p.to).toEqual([
      'type=registry,ref=127.0.0.1:5000/team/app:buildcache-feature-x,mode=max,compression=zstd,image-manifest=true,oci-mediatypes=true,ignore-error=true'
    ])
  })
  it('tag builds use the default branch scope; runs that do not push only read', () => {
    expect(
      planCache(auto, ['a/b'], true, { ref: 'refs/tags/v1', defaultBranch: 'trunk' }).from
    ).toEqual(['type=registry,ref=a/b:buildcache-trunk'])
    expect(planCache(auto, ['a/b'], false, branch).to).toEqual([])
  })
  it('offers the GitHub Actions cache, off, and explicit references', () => {
    const gha = planCache({ ...auto, mode: 'gha' }, ['a/b'], true, branch)
    expect(gha.from).toEqual(['type=gha,scope=ml-docker-a-b'])
    expect(gha.to).toEqual(['type=gha,scope=ml-docker-a-b,mode=max,compression=zstd'])
    expect(planCache({ ...auto, mode: 'off' }, ['a/b'], true, branch).from).toEqual([])
    const explicit = planCache(
      { mode: 'explicit', ref: 'c/d:cache', exportMode: 'min', compression: 'gzip' },
      ['a/b'],
      true,
      branch
    )
    expect(explicit.from).toEqual(['type=registry,ref=c/d:cache'])
    expect(explicit.to[0]).toContain('ref=c/d:cache,mode=min,compression=gzip,')
  })
  it('has nothing to derive from without an image', () => {
    expect(planCache(auto, [], true, branch)).toMatchObject({ from: [], to: [] })
  })
})

describe('exporterAnnotations', () => {
  it('maps metadata-action levels onto BuildKit exporter keys', () => {
    expect(
      exporterAnnotations(['k=v', 'manifest:a=b', 'manifest,manifest-descriptor:c=d'], false)
    ).toEqual([
      'annotation-manifest.k=v',
      'annotation-manifest.a=b',
      'annotation-manifest.c=d',
      'annotation-manifest-descriptor.c=d'
    ])
  })
  it('keeps index annotations only when there is an index', () => {
    expect(exporterAnnotations(['index:k=v'], false)).toEqual([])
    expect(exporterAnnotations(['index:k=v'], true)).toEqual(['annotation-index.k=v'])
    expect(exporterAnnotations(['manifest[linux/amd64]:k=v'], false)).toEqual([
      'annotation-manifest[linux/amd64].k=v'
    ])
  })
})

describe('latest=highest', () => {
  const none = { prefix: '', suffix: '' }
  it('keeps latest off a re-release below the highest release in the registry', () => {
    expect(highestRelease('1.4.1', ['1.4.0', '2.0.0', 'latest', 'sha-abc'], none)).toEqual({
      highest: false,
      above: '2.0.0'
    })
    expect(highestRelease('2.0.1', ['1.4.0', '2.0.0', 'latest'], none)).toEqual({ highest: true })
  })
  it('ignores prereleases and other tags, and reads the flavor prefix and suffix', () => {
    expect(highestRelease('1.4.1', ['3.0.0-rc.1', 'main', 'buildcache-main'], none).highest).toBe(
      true
    )
    const gpu = { prefix: 'v', suffix: '-gpu' }
    expect(highestRelease('v1.4.1-gpu', ['v2.0.0-gpu', '2.0.0'], gpu)).toEqual({
      highest: false,
      above: '2.0.0'
    })
    expect(highestRelease('v1.4.1-gpu', ['2.0.0', 'v1.0.0-gpu'], gpu).highest).toBe(true)
  })
  it('is planned only with latest=highest on a release that adds latest', () => {
    expect(plan({ ...base, flavor: 'latest=highest' }).latestHighest).toEqual({
      tag: 'latest',
      version: '1.2.3',
      prefix: '',
      suffix: ''
    })
    expect(plan(base).latestHighest).toBeUndefined()
  })
})
