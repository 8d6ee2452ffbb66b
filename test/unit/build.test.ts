import { describe, expect, it } from '@jest/globals'
import {
  buildArgv,
  cachedSteps,
  csvField,
  secretEnvName,
  type BuildPlan
} from '../../src/build/args.js'
import { createBuilderArgv } from '../../src/build/builder.js'

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
  cacheFrom: ['type=registry,ref=reg:5000/team/app:buildcache-main'],
  cacheTo: ['type=registry,ref=reg:5000/team/app:buildcache-main,mode=max'],
  annotations: ['annotation-manifest.org.opencontainers.image.vendor=acme, inc.'],
  layoutDir: '/tmp/run/oci',
  metadataFile: '/tmp/run/meta.json'
}

describe('buildArgv', () => {
  const argv = buildArgv(plan)
  const pairs = (flag: string): string[] =>
    argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []))

  it('starts with buildx build on the chosen builder, plain progress', () => {
    expect(argv.slice(0, 6)).toEqual(['buildx', 'build', '--builder', 'b1', '--progress', 'plain'])
  })
  it('passes every label and build arg', () => {
    expect(pairs('--label')).toEqual(['org.opencontainers.image.version=1.2.3'])
    expect(pairs('--build-arg')).toEqual(['BASE_IMAGE=python:3.11-slim'])
  })
  it('hands secrets over by environment variable, never by value', () => {
    expect(pairs('--secret')).toEqual([`id=hf-token,env=${secretEnvName('hf-token')}`])
    expect(secretEnvName('hf-token')).toBe('ML_DOCKER_SECRET_HF_TOKEN')
  })
  it('passes target and platform, and reads and writes the cache in the same build', () => {
    expect(pairs('--target')).toEqual(['runtime'])
    expect(pairs('--platform')).toEqual(['linux/amd64'])
    expect(pairs('--cache-from')).toEqual(plan.cacheFrom)
    expect(pairs('--cache-to')).toEqual(plan.cacheTo)
  })
  it('writes the image into the daemon and as an OCI layout of the same manifest, in one build', () => {
    const outputs = pairs('--output')
    expect(outputs).toEqual([
      'type=docker,"name=reg:5000/team/app:1.2.3,reg:5000/team/app:latest",oci-mediatypes=true,' +
        '"annotation-manifest.org.opencontainers.image.vendor=acme, inc."',
      'type=oci,dest=/tmp/run/oci,tar=false,oci-mediatypes=true,' +
        '"annotation-manifest.org.opencontainers.image.vendor=acme, inc."'
    ])
    expect(argv).not.toContain('--load')
    expect(argv).not.toContain('--push')
  })
  it('leaves attestations for later, records metadata, and ends with the context', () => {
    expect(argv).toEqual(expect.arrayContaining(['--provenance=false', '--sbom=false']))
    expect(pairs('--metadata-file')).toEqual(['/tmp/run/meta.json'])
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
      buildArgs: {},
      annotations: []
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
    expect(minimal.join(' ')).not.toContain('annotation')
  })
  it('quotes CSV fields only when they need it', () => {
    expect(csvField('a=b')).toBe('a=b')
    expect(csvField('a=b,c')).toBe('"a=b,c"')
    expect(csvField('a="b"')).toBe('"a=""b"""')
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
