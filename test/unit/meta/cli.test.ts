import { describe, expect, it } from '@jest/globals'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { metaCommand } from '../../../src/meta/index.js'
import { defaultImages } from '../../../src/pipeline.js'

interface MetaJson {
  version: string
  tags: string[]
  tagNames: string[]
  labels: Record<string, string>
  annotations: string[]
}

const here = path.dirname(fileURLToPath(import.meta.url))
const events = path.resolve(here, '../../fixtures/meta/events')
const emptyDir = mkdtempSync(path.join(tmpdir(), 'meta-cli-'))

function tagPushEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SHA: '1f2e3d4c5b6a79887766554433221100ffeeddcc',
    GITHUB_REPOSITORY: 'acme/ml-service',
    GITHUB_EVENT_PATH: path.join(events, 'push-tag-v1.2.3.json'),
    ...extra
  }
}

async function meta(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = ''
  let stderr = ''
  const code = await metaCommand(
    argv,
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: emptyDir },
    env
  )
  return { code, stdout, stderr }
}

describe('ml-docker meta', () => {
  it('prints version, tags, tag names and labels as JSON from INPUT_* and the workflow context', async () => {
    const r = await meta(
      ['--format', 'json'],
      tagPushEnv({ INPUT_IMAGES: 'ghcr.io/acme/ml-service', INPUT_LABELS: 'com.acme.team=ml' })
    )
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as MetaJson
    expect(Object.keys(out)).toEqual(['version', 'tags', 'tagNames', 'labels', 'annotations'])
    expect(out.version).toBe('1.2.3')
    // INPUT_TAGS absent: the action's default rules.
    expect(out.tagNames).toEqual(['1.2.3', '1.2', '1', 'sha-1f2e3d4', 'latest'])
    expect(out.tags).toEqual(out.tagNames.map((t: string) => `ghcr.io/acme/ml-service:${t}`))
    expect(out.labels['com.acme.team']).toBe('ml')
    expect(out.labels['org.opencontainers.image.version']).toBe('1.2.3')
    expect(out.labels['org.opencontainers.image.title']).toBe('ml-service')
    expect(r.stderr).toBe('')
  })

  it('reads INPUT_TAGS and INPUT_FLAVOR; an explicitly empty INPUT_TAGS means the reference default', async () => {
    const empty = await meta([], tagPushEnv({ INPUT_IMAGES: 'acme/app', INPUT_TAGS: '' }))
    expect((JSON.parse(empty.stdout) as MetaJson).tagNames).toEqual(['v1.2.3', 'latest'])
    const flavored = await meta(
      [],
      tagPushEnv({ INPUT_TAGS: 'type=semver,pattern={{version}}', INPUT_FLAVOR: 'latest=false' })
    )
    // No images: the repository's image, as `run` computes it.
    expect((JSON.parse(flavored.stdout) as MetaJson).tags).toEqual(['acme/ml-service:1.2.3'])
  })

  it('lets flags override INPUT_* and repeated flags add lines', async () => {
    const r = await meta(
      [
        '--images',
        'acme/a',
        '--tags',
        'type=semver,pattern={{major}}',
        '--tags=type=raw,value=stable',
        '--flavor',
        'latest=false'
      ],
      tagPushEnv({ INPUT_IMAGES: 'acme/ignored', INPUT_TAGS: 'type=sha' })
    )
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as MetaJson).tags).toEqual(['acme/a:1', 'acme/a:stable'])
  })

  it('prints a readable text form', async () => {
    const r = await meta(
      ['--format=text', '--images', 'acme/app', '--tags', 'type=semver,pattern={{version}}'],
      tagPushEnv()
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('version: 1.2.3\n')
    expect(r.stdout).toContain('  acme/app:1.2.3\n  acme/app:latest\n')
    expect(r.stdout).toMatch(/^context: push refs\/tags\/v1\.2\.3 1f2e3d4c5b6a \(workflow\)/)
  })

  it('prints warnings on stderr and still succeeds', async () => {
    const r = await meta(['--tags', 'type=semver,pattern={{version}}'], {
      ...tagPushEnv(),
      GITHUB_REF: 'refs/tags/release1'
    })
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as MetaJson).tags).toEqual([])
    expect(r.stderr).toContain('ml-docker: warning: release1 is not a valid semver')
    expect(r.stderr).toContain('ml-docker: warning: No Docker tag has been generated')
  })

  it('exits 2 with one ml-docker: line on a configuration error, as run and lint do', async () => {
    const r = await meta(['--tags', 'type=semver'], tagPushEnv())
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^ml-docker: tags: type=semver needs a pattern attribute/)
    const env = await meta([], tagPushEnv({ DOCKER_METADATA_SHORT_SHA_LENGTH: 'x' }))
    expect(env.code).toBe(2)
    const image = await meta(['--images', 'Acme/App:latest'], tagPushEnv())
    expect(image.code).toBe(2)
    expect(image.stderr).toContain('ends with a tag')
  })

  it('exits 2 on a usage error, naming the option', async () => {
    const unknown = await meta(['--colour', 'x'], tagPushEnv())
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe(
      'ml-docker: unknown option --colour for "ml-docker meta"; run "ml-docker meta --help" for the options'
    )
    const format = await meta(['--format', 'yaml'], tagPushEnv())
    expect(format.code).toBe(2)
    expect(format.stderr).toBe('ml-docker: --format must be json or text, got "yaml"')
    const missing = await meta(['--tags'], tagPushEnv())
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe('ml-docker: option --tags needs a value')
    expect((await meta(['positional'], tagPushEnv())).code).toBe(2)
  })

  it('computes the same default image names as run (defaultImages of the pipeline)', async () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [[], {}, 'acme/ml-service'],
      [['--registry', 'ghcr.io'], {}, 'ghcr.io/acme/ml-service'],
      [[], { INPUT_REGISTRY: '127.0.0.1:5000' }, '127.0.0.1:5000/acme/ml-service'],
      [[], { GITHUB_REPOSITORY: 'Acme/ML-Service', INPUT_REGISTRY: 'docker.io' }, 'acme/ml-service']
    ]
    for (const [argv, extra, image] of cases) {
      const env = tagPushEnv(extra)
      const r = await meta([...argv, '--tags', 'type=semver,pattern={{version}}'], env)
      expect(r.code).toBe(0)
      const registry = argv[1] ?? env.INPUT_REGISTRY ?? 'docker.io'
      expect(defaultImages({ images: '', registry }, env)).toBe(image)
      expect((JSON.parse(r.stdout) as MetaJson).tags).toEqual([`${image}:1.2.3`, `${image}:latest`])
    }
  })

  it('prints usage on --help', async () => {
    const r = await meta(['--help'], {})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: ml-docker meta/)
  })

  it('works outside any repository and workflow, with a warning for the missing context', async () => {
    const r = await meta(['--images', 'acme/app'], {})
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as MetaJson
    expect(out.tags).toEqual([])
    expect(r.stderr).toContain('No Docker tag has been generated')
  })
})
