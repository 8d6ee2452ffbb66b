import { describe, expect, it } from '@jest/globals'
import {
  actionOutputs,
  computeMeta,
  DEFAULT_TAGS,
  REFERENCE_DEFAULT_TAGS,
  type GitContext,
  type MetaInputs
} from '../../../src/meta/index.js'

const NOW = new Date('2024-05-06T07:08:09Z')
const inputs = (over: Partial<MetaInputs> = {}): MetaInputs => ({
  images: 'acme/app',
  tags: DEFAULT_TAGS,
  flavor: '',
  labels: '',
  annotations: '',
  ...over
})
const tagCtx: GitContext = {
  eventName: 'push',
  ref: 'refs/tags/v1.2.3',
  sha: 'abcdef0123456789abcdef0123456789abcdef01',
  payload: {}
}

describe('computeMeta', () => {
  it('keeps the default rule sets as documented', () => {
    expect(DEFAULT_TAGS).toBe(
      [
        'type=semver,pattern={{version}}',
        'type=semver,pattern={{major}}.{{minor}}',
        'type=semver,pattern={{major}}',
        'type=ref,event=branch',
        'type=ref,event=pr',
        'type=sha'
      ].join('\n')
    )
    expect(REFERENCE_DEFAULT_TAGS).toEqual([
      'type=schedule',
      'type=ref,event=branch',
      'type=ref,event=tag',
      'type=ref,event=pr'
    ])
  })

  it('gives the release tags of the pipeline: 1.2.3, 1.2, 1 and latest; a pre-release gets neither partials nor latest', () => {
    expect(computeMeta(inputs(), tagCtx, {}, NOW).tags).toEqual([
      'acme/app:1.2.3',
      'acme/app:1.2',
      'acme/app:1',
      'acme/app:sha-abcdef0',
      'acme/app:latest'
    ])
    const rc = computeMeta(inputs(), { ...tagCtx, ref: 'refs/tags/v2.0.0-rc.1' }, {}, NOW)
    expect(rc.tagNames).toEqual(['2.0.0-rc.1', 'sha-abcdef0'])
    expect(rc.version).toBe('2.0.0-rc.1')
  })

  it('takes repository data from the context when the payload has none', () => {
    const r = computeMeta(
      inputs(),
      {
        ...tagCtx,
        repository: {
          name: 'app',
          description: 'd',
          htmlUrl: 'https://git.example.com/acme/app',
          license: 'MIT'
        },
        commitDate: new Date('2024-01-02T03:04:05Z')
      },
      {},
      NOW
    )
    expect(r.labels).toEqual({
      'org.opencontainers.image.created': '2024-05-06T07:08:09.000Z',
      'org.opencontainers.image.description': 'd',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.revision': 'abcdef0123456789abcdef0123456789abcdef01',
      'org.opencontainers.image.source': 'https://git.example.com/acme/app',
      'org.opencontainers.image.title': 'app',
      'org.opencontainers.image.url': 'https://git.example.com/acme/app',
      'org.opencontainers.image.version': '1.2.3'
    })
  })

  it('uses the context commit date, and the current time when none is known', () => {
    const tags = "type=raw,value={{commit_date 'YYYYMMDD'}}"
    expect(
      computeMeta(
        inputs({ tags }),
        { ...tagCtx, commitDate: new Date('2021-02-03T00:00:00Z') },
        {},
        NOW
      ).tagNames
    ).toEqual(['20210203'])
    const unknown = computeMeta(inputs({ tags }), tagCtx, {}, NOW)
    expect(unknown.tagNames).toEqual(['20240506'])
    expect(unknown.warnings).toEqual([expect.stringContaining('The commit date is unknown here')])
  })

  it('uses the context default branch for edge and is_default_branch when the payload has none', () => {
    const ctx: GitContext = {
      eventName: 'push',
      ref: 'refs/heads/trunk',
      sha: 'abc1234',
      payload: {},
      defaultBranch: 'trunk'
    }
    const r = computeMeta(
      inputs({ tags: 'type=edge\ntype=raw,value=latest,enable={{is_default_branch}}' }),
      ctx,
      {},
      NOW
    )
    expect(r.tagNames).toEqual(['edge', 'latest'])
  })

  it('annotation levels: the input for multi-platform pushes, DOCKER_METADATA_ANNOTATIONS_LEVELS above it', () => {
    const multi = computeMeta(inputs({ annotationLevels: 'manifest,index' }), tagCtx, {}, NOW)
    expect(new Set(multi.annotations.map((a) => a.split(':')[0]))).toEqual(
      new Set(['manifest', 'index'])
    )
    expect(multi.annotations).toHaveLength(16)
    const env = computeMeta(
      inputs({ annotationLevels: 'manifest,index' }),
      tagCtx,
      { DOCKER_METADATA_ANNOTATIONS_LEVELS: 'index' },
      NOW
    )
    expect(env.annotations.every((a) => a.startsWith('index:'))).toBe(true)
    expect(env.annotations).toHaveLength(8)
  })

  it('the json output holds tags, labels and annotations', () => {
    const r = computeMeta(inputs(), tagCtx, {}, NOW)
    expect(r.json).toEqual({ tags: r.tags, labels: r.labels, annotations: r.annotations })
    expect(r.images).toEqual(['acme/app'])
  })

  it('does not mutate its inputs or context', () => {
    const ctx = structuredClone(tagCtx)
    const inp = inputs()
    computeMeta(inp, ctx, {}, NOW)
    expect(ctx).toEqual(tagCtx)
    expect(inp).toEqual(inputs())
  })
})

describe('actionOutputs', () => {
  it('joins with newlines by default and with the given separators', () => {
    const r = computeMeta(
      inputs({ tags: 'type=semver,pattern={{version}}', labels: 'a=b' }),
      tagCtx,
      {},
      NOW
    )
    const out = actionOutputs(r)
    expect(out['version']).toBe('1.2.3')
    expect(out['tags']).toBe('acme/app:1.2.3\nacme/app:latest')
    expect(out['tag-names']).toBe('1.2.3\nlatest')
    expect(out['labels'].split('\n')[0]).toBe('a=b')
    expect(JSON.parse(out['json'])).toEqual(r.json)
    const csv = actionOutputs(r, { sepTags: ',', sepLabels: ';', sepAnnotations: '|' })
    expect(csv['tags']).toBe('acme/app:1.2.3,acme/app:latest')
    expect(csv['labels']).toContain(';org.opencontainers.image.created=')
    expect(csv['annotations'].split('|')).toHaveLength(r.annotations.length)
  })
})
