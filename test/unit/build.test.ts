import { describe, expect, it } from '@jest/globals'
import {
  buildArgv,
  cacheExportArgv,
  cachedSteps,
  secretEnvName,
  type BuildPlan
} from '../../src/build/args.js'
import { createBuilderArgv } from '../../src/build/builder.js'
import { planCache } from '../../src/build/cache.js'
import { repositoryOf } from '../../src/reference.js'

const plan: BuildPlan = {
  builder: 'b1',
  context: '/ctx',
  file: '/ctx/Dockerfile',
  tags: ['reg:5000/team/app:1.2.3', 'reg:5000/team/app:latest'],
  labels: { 'org.opencontainers.image.version': '1.2.3' },
  buildArgs: { BASE_IMAGE: 'python:3.11-slim' },
  secretIds: ['hf-token'],
  target: 'runtime',
  platform: 'linux/amd64',
  cacheFrom: ['type=registry,ref=reg:5000/team/app:buildcache'],
  cacheTo: ['type=registry,ref=reg:5000/team/app:buildcache,mode=max'],
  iidFile: '/tmp/iid',
  metadataFile: '/tmp/meta.json'
}

describe('buildArgv', () => {
  const argv = buildArgv(plan)
  const pairs = (flag: string): string[] =>
    argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []))

  it('starts with buildx build on the chosen builder, plain progress', () => {
    expect(argv.slice(0, 6)).toEqual(['buildx', 'build', '--builder', 'b1', '--progress', 'plain'])
  })
  it('passes every tag, label, build arg', () => {
    expect(pairs('--tag')).toEqual(plan.tags)
    expect(pairs('--label')).toEqual(['org.opencontainers.image.version=1.2.3'])
    expect(pairs('--build-arg')).toEqual(['BASE_IMAGE=python:3.11-slim'])
  })
  it('hands secrets over by environment variable, never by value', () => {
    expect(pairs('--secret')).toEqual([`id=hf-token,env=${secretEnvName('hf-token')}`])
    expect(secretEnvName('hf-token')).toBe('ML_DOCKER_SECRET_HF_TOKEN')
  })
  it('passes target and platform, and only reads the cache', () => {
    expect(pairs('--target')).toEqual(['runtime'])
    expect(pairs('--platform')).toEqual(['linux/amd64'])
    expect(pairs('--cache-from')).toEqual(plan.cacheFrom)
    expect(argv).not.toContain('--cache-to')
  })
  it('exports the cache in a separate, cache-only build of the same inputs', () => {
    const exp = cacheExportArgv(plan)
    const expPairs = (flag: string): string[] =>
      exp.flatMap((a, i) => (a === flag ? [exp[i + 1]] : []))
    expect(expPairs('--cache-to')).toEqual(plan.cacheTo)
    expect(expPairs('--output')).toEqual(['type=cacheonly'])
    for (const flag of ['--build-arg', '--secret', '--target', '--platform', '--file'])
      expect(expPairs(flag)).toEqual(pairs(flag))
    expect(exp).not.toContain('--load')
    expect(exp).not.toContain('--tag')
    expect(exp[exp.length - 1]).toBe('/ctx')
  })
  it('loads the result into the daemon without attestations, and ends with the context', () => {
    expect(argv).toEqual(expect.arrayContaining(['--load', '--provenance=false', '--sbom=false']))
    expect(pairs('--iidfile')).toEqual(['/tmp/iid'])
    expect(argv[argv.length - 1]).toBe('/ctx')
  })
  it('omits optional flags when unset', () => {
    const minimal = buildArgv({
      ...plan,
      target: '',
      platform: '',
      secretIds: [],
      cacheFrom: [],
      cacheTo: [],
      labels: {},
      buildArgs: {}
    })
    for (const f of [
      '--target',
      '--platform',
      '--secret',
      '--cache-from',
      '--cache-to',
      '--label',
      '--build-arg'
    ]) {
      expect(minimal).not.toContain(f)
    }
  })
})

describe('cachedSteps', () => {
  it('names the steps BuildKit reported as CACHED', () => {
    const out = [
      '#5 [builder 1/4] FROM reg/python:3.11',
      '#6 [builder 2/4] COPY requirements.txt .',
      '#6 CACHED',
      '#7 [builder 3/4] RUN pip install -r requirements.txt',
      '#7 CACHED',
      '#8 [runtime 3/3] COPY app/ /app/',
      '#8 DONE 0.1s'
    ].join('\n')
    expect(cachedSteps(out)).toEqual([
      '[builder 2/4] COPY requirements.txt .',
      '[builder 3/4] RUN pip install -r requirements.txt'
    ])
    expect(cachedSteps('#1 DONE\n')).toEqual([])
  })
})

describe('planCache', () => {
  const auto = { mode: 'auto' as const, ref: '', exportMode: 'max' as const }
  it('derives <image>:buildcache and writes only when pushing', () => {
    const p = planCache(auto, ['127.0.0.1:5000/team/app'], true)
    expect(p.from).toEqual(['type=registry,ref=127.0.0.1:5000/team/app:buildcache'])
    expect(p.to[0]).toMatch(/^type=registry,ref=127\.0\.0\.1:5000\/team\/app:buildcache,mode=max/)
    const ro = planCache(auto, ['127.0.0.1:5000/team/app'], false)
    expect(ro.from).toHaveLength(1)
    expect(ro.to).toEqual([])
  })
  it('honours off and explicit refs', () => {
    expect(planCache({ ...auto, mode: 'off' }, ['a/b'], true).from).toEqual([])
    expect(
      planCache({ mode: 'explicit', ref: 'c/d:cache', exportMode: 'min' }, ['a/b'], true).to[0]
    ).toContain('ref=c/d:cache,mode=min')
  })
  it('has nothing to derive from without an image', () => {
    expect(planCache(auto, [], true)).toMatchObject({ from: [], to: [] })
  })
  it('strips tags and digests but not registry ports', () => {
    expect(repositoryOf('127.0.0.1:5000/a/b:1.2')).toBe('127.0.0.1:5000/a/b')
    expect(repositoryOf('127.0.0.1:5000/a/b')).toBe('127.0.0.1:5000/a/b')
    expect(repositoryOf('a/b@sha256:abc')).toBe('a/b')
  })
})

describe('createBuilderArgv', () => {
  it('creates a host-networked docker-container builder by default', () => {
    expect(
      createBuilderArgv(
        { buildkitEndpoint: '', buildkitImage: '', buildkitdConfig: '' },
        'ml-docker-1'
      )
    ).toEqual([
      'buildx',
      'create',
      '--name',
      'ml-docker-1',
      '--driver',
      'docker-container',
      '--driver-opt',
      'network=host'
    ])
  })
  it('passes a BuildKit image and daemon config to the docker-container driver', () => {
    const argv = createBuilderArgv(
      {
        buildkitEndpoint: '',
        buildkitImage: 'mirror/buildkit:v0.32.2',
        buildkitdConfig: '/w/bk.toml'
      },
      'b'
    )
    expect(argv).toEqual(
      expect.arrayContaining([
        '--driver-opt',
        'image=mirror/buildkit:v0.32.2',
        '--buildkitd-config',
        '/w/bk.toml'
      ])
    )
  })
  it('points a remote builder at the endpoint', () => {
    const argv = createBuilderArgv(
      { buildkitEndpoint: 'tcp://10.0.0.5:1234', buildkitImage: '', buildkitdConfig: '' },
      'b'
    )
    expect(argv.slice(4)).toEqual(['--driver', 'remote', 'tcp://10.0.0.5:1234'])
  })
})
