import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig, type InputSource } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import type { GitContext } from '../../src/meta/index.js'
import { runPipeline } from '../../src/pipeline.js'

/** Runs that must stop before the first side effect: no docker is needed (or touched) here. */
function setup(dockerfile: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-unit-'))
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile)
  return dir
}

const tagPush: GitContext = {
  eventName: 'push',
  sha: '0123456789abcdef0123456789abcdef01234567',
  ref: 'refs/tags/v1.2.3',
  payload: {},
  source: 'workflow'
}

async function run(inputs: Record<string, string>, ctx: GitContext = tagPush) {
  const lines: string[] = []
  const log = new ConsoleLogger(
    (s) => lines.push(s),
    (s) => lines.push(s)
  )
  const src: InputSource = (n) => inputs[n]
  const cfg = parseConfig(src, { cli: true, setSecret: (v) => log.secret(v) })
  const result = await runPipeline(cfg, {
    log,
    env: { RUNNER_TEMP: os.tmpdir() },
    context: ctx,
    runId: 'unit'
  })
  return { result, output: lines.join('\n') }
}

const GOOD =
  'FROM python:3.11.10-slim\nUSER 1000\nHEALTHCHECK CMD ["python","-c","1"]\nCMD ["python","-m","app"]\n'

describe('runPipeline stops before any side effect', () => {
  it('on a lint failure: later stages are skipped and nothing is built or pushed', async () => {
    const ctx = setup('FROM python:latest\nRUN apt-get install -y curl\nCMD python app.py\n')
    const { result } = await run({
      context: ctx,
      images: 'acme/app',
      push: 'true',
      'lint-failure-threshold': 'warning'
    })
    expect(result.ok).toBe(false)
    expect(result.failedStage).toBe('lint')
    expect(result.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'lint:failed',
      'meta:skipped',
      'login:skipped',
      'build:skipped',
      'smoke:skipped',
      'scan:skipped',
      'push:skipped',
      'publish:skipped'
    ])
    expect(result.outputs.pushed).toBe('false')
    expect(Number(result.outputs['lint-warnings'])).toBeGreaterThan(0)
  })

  it('when a pushing run has no tag for its event', async () => {
    const ctx = setup(GOOD)
    const { result } = await run({
      context: ctx,
      images: 'acme/app',
      push: 'true',
      lint: 'false',
      tags: 'type=ref,event=pr'
    })
    expect(result.failedStage).toBe('meta')
    expect(result.error).toMatch(/produced no tag for this event/)
    expect(result.stages.find((s) => s.name === 'build')?.status).toBe('skipped')
  })

  it('when a pushing run has no image name', async () => {
    const { result } = await run({ context: setup(GOOD), push: 'true', lint: 'false' })
    expect(result.failedStage).toBe('meta')
    expect(result.error).toMatch(/no image name is set/)
  })

  it('when the Dockerfile does not exist', async () => {
    const { result } = await run({ context: '/nonexistent/dir', lint: 'false' })
    expect(result.ok).toBe(false)
    expect(result.error).toMatch(/Dockerfile not found: \/nonexistent\/dir\/Dockerfile/)
  })

  it('a pull request with push: true is refused rather than published', async () => {
    const pr: GitContext = {
      ...tagPush,
      eventName: 'pull_request',
      ref: 'refs/pull/3/merge',
      payload: { number: 3 }
    }
    const { result } = await run(
      { context: setup(GOOD), images: 'acme/app', push: 'true', lint: 'false' },
      pr
    )
    expect(result.failedStage).toBe('meta')
    expect(result.error).toMatch(/never pushed/)
  })
})
