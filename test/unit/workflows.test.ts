import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import { INPUTS, OUTPUTS } from '../../src/inputs.js'

/**
 * The README shows the example workflows that CI runs under act: they must stay the same text,
 * and use only inputs and outputs the action declares. (test/integration/act.test.ts runs them.)
 */
const root = new URL('../../', import.meta.url).pathname
const read = (f: string): string => readFileSync(path.join(root, f), 'utf8')

interface Step {
  uses?: string
  run?: string
  id?: string
  with?: Record<string, string>
  env?: Record<string, string>
}
interface Workflow {
  on: unknown
  jobs: Record<string, { 'runs-on': string; if?: string; steps: Step[] }>
}

const workflow = (name: string): Workflow => YAML.parse(read(name)) as Workflow

/** The fenced yaml block that follows a README heading. */
function readmeBlock(heading: string): string {
  const readme = read('README.md')
  const at = readme.indexOf(`\n### ${heading}\n`)
  expect(at).toBeGreaterThan(-1)
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))
  return m?.[1] ?? ''
}

describe('example workflows', () => {
  const examples = [
    { file: '.github/workflows/example-pr.yml', heading: 'Pull request gating' },
    { file: '.github/workflows/example-release.yml', heading: 'Tag-triggered release' }
  ]

  for (const { file, heading } of examples) {
    it(`the README's "${heading}" block is ${file}`, () => {
      expect(readmeBlock(heading)).toBe(read(file))
    })

    it(`${file} checks out, then runs the action from the repository with declared inputs`, () => {
      const steps = Object.values(workflow(file).jobs).flatMap((j) => j.steps)
      const action = steps.findIndex((s) => s.uses === './')
      expect(action).toBeGreaterThan(0)
      expect(steps.slice(0, action).map((s) => s.uses)).toContain('actions/checkout@v4')
      const declared = new Set(INPUTS.map((i) => i.name))
      for (const input of Object.keys(steps[action].with ?? {})) {
        expect(declared).toContain(input)
      }
    })
  }

  it('the PR example runs on pull requests and gets no credentials', () => {
    const wf = workflow('.github/workflows/example-pr.yml')
    expect(wf.on).toBe('pull_request')
    const text = read('.github/workflows/example-pr.yml')
    expect(text).not.toMatch(/secrets\.|username:|password:/)
  })

  it('the release example runs on v* tags, logs in with the token secret and reads declared outputs', () => {
    const wf = workflow('.github/workflows/example-release.yml')
    expect(wf.on).toEqual({ push: { tags: ['v*'] } })
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps)
    const action = steps.find((s) => s.uses === './')
    expect(action?.with?.password).toBe('${{ secrets.DOCKERHUB_TOKEN }}')
    const later = steps.slice(steps.indexOf(action!) + 1)
    const refs = later.flatMap((s) =>
      Object.values(s.env ?? {}).map((v) => /steps\.(\S+)\.outputs\.(\S+) \}\}/.exec(v))
    )
    const outputs = refs.filter((m) => m?.[1] === action?.id).map((m) => m![2])
    expect(outputs.sort()).toEqual(['digest', 'tags', 'version'])
    const declared = new Set(OUTPUTS.map((o) => o.name))
    for (const o of outputs) expect(declared).toContain(o)
  })

  it("the project's CI runs .ci/run as root on push and pull request", () => {
    const wf = workflow('.github/workflows/ci.yml')
    expect(Object.keys(wf.on as object).sort()).toEqual(['pull_request', 'push'])
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''))
    expect(runs.some((r) => /^sudo -E .*bash \.ci\/run$/.test(r))).toBe(true)
  })
})
