/**
 * Fixture-driven scenarios, in docker/metadata-action's style: each scenario names one event
 * (test/fixtures/meta/events/<event>.env + <event>.json, exactly what a runner provides) and the
 * action inputs, and states the expected version, tags, labels and warnings. The context is read
 * through contextFromEnvironment, so the payload and env parsing is exercised too.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { isUserError } from '../../../src/errors.js'
import {
  computeMeta,
  contextFromEnvironment,
  DEFAULT_TAGS,
  DOCKER_TAG_RE
} from '../../../src/meta/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.resolve(here, '../../fixtures/meta')
const DEFAULT_NOW = '2020-01-10T00:30:00Z'
const DEFAULT_IMAGES = 'acme/ml-service'

interface Scenario {
  name: string
  event: string
  env?: Record<string, string>
  now?: string
  inputs?: {
    images?: string
    tags?: string
    flavor?: string
    labels?: string
    annotations?: string
  }
  expected: {
    version?: string
    tags?: string[]
    refs?: string[]
    labels?: Record<string, string>
    annotations?: string[]
    warnings?: string[]
    error?: string
  }
}

function loadEnv(event: string): Record<string, string> {
  const env: Record<string, string> = {}
  const text = readFileSync(path.join(fixtures, 'events', `${event}.env`), 'utf8')
  for (const line of text.split('\n')) {
    const i = line.indexOf('=')
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1)
  }
  env['GITHUB_EVENT_PATH'] = path.join(fixtures, 'events', env['GITHUB_EVENT_PATH'])
  return env
}

const files = readdirSync(path.join(fixtures, 'scenarios')).filter((f) => f.endsWith('.yaml'))
const all: [string, Scenario][] = files.flatMap((f) =>
  (parseYaml(readFileSync(path.join(fixtures, 'scenarios', f), 'utf8')) as Scenario[]).map(
    (s) => [f.replace(/\.yaml$/, ''), s] as [string, Scenario]
  )
)

describe('metadata fixture scenarios', () => {
  it('has at least 100 scenarios with unique names, covering every event kind', () => {
    expect(all.length).toBeGreaterThanOrEqual(100)
    const names = all.map(([file, s]) => `${file}/${s.name}`)
    expect(new Set(names).size).toBe(names.length)
    const events = new Set(all.map(([, s]) => loadEnv(s.event)['GITHUB_EVENT_NAME']))
    for (const e of [
      'push',
      'pull_request',
      'pull_request_target',
      'schedule',
      'workflow_dispatch',
      'release',
      'create',
      'merge_group'
    ]) {
      expect(events).toContain(e)
    }
  })

  describe.each(files.map((f) => f.replace(/\.yaml$/, '')))('%s', (file) => {
    const scenarios = all
      .filter(([f]) => f === file)
      .map(([, s]) => [s.name, s] as [string, Scenario])
    it.each(scenarios)('%s', async (_name, s) => {
      // Guards against YAML slips (an unquoted `a,b=c` in a flow mapping becomes two keys).
      for (const [k, v] of Object.entries(s.inputs ?? {})) {
        expect(['images', 'tags', 'flavor', 'labels', 'annotations']).toContain(k)
        expect(typeof v).toBe('string')
      }
      for (const k of Object.keys(s.expected)) {
        expect(['version', 'tags', 'refs', 'labels', 'annotations', 'warnings', 'error']).toContain(
          k
        )
      }
      const env = { ...loadEnv(s.event), ...(s.env ?? {}) }
      const ctx = await contextFromEnvironment(env)
      const inputs = {
        images: s.inputs?.images ?? DEFAULT_IMAGES,
        tags: s.inputs?.tags ?? DEFAULT_TAGS,
        flavor: s.inputs?.flavor ?? '',
        labels: s.inputs?.labels ?? '',
        annotations: s.inputs?.annotations ?? ''
      }
      const now = new Date(s.now ?? DEFAULT_NOW)
      const exp = s.expected
      if (exp.error !== undefined) {
        let thrown: unknown
        try {
          computeMeta(inputs, ctx, env, now)
        } catch (e) {
          thrown = e
        }
        expect(isUserError(thrown)).toBe(true)
        expect((thrown as Error).message).toContain(exp.error)
        return
      }
      const r = computeMeta(inputs, ctx, env, now)
      if (exp.version !== undefined) expect(r.version).toBe(exp.version)
      if (exp.tags !== undefined) {
        expect(r.tagNames).toEqual(exp.tags)
        if (exp.refs === undefined) {
          const images = inputs.images ? inputs.images.split('\n').filter((l) => l.trim()) : []
          expect(r.tags).toEqual(
            images.length ? images.flatMap((i) => exp.tags!.map((t) => `${i}:${t}`)) : exp.tags
          )
        }
      }
      if (exp.refs !== undefined) expect(r.tags).toEqual(exp.refs)
      for (const t of r.tagNames) expect(t).toMatch(DOCKER_TAG_RE)
      if (exp.labels !== undefined) expect(r.labels).toMatchObject(exp.labels)
      if (exp.annotations !== undefined) expect(r.annotations).toEqual(exp.annotations)
      const expectedWarnings = exp.warnings ?? []
      expect(r.warnings).toHaveLength(expectedWarnings.length)
      for (const w of expectedWarnings) expect(r.warnings.some((x) => x.includes(w))).toBe(true)
    })
  })
})
