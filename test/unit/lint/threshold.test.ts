/** The action's threshold: an explicit input wins; unset, `.hadolint.yaml` decides; else `warning`. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ACTION_DEFAULT_THRESHOLD, lint } from '../../../src/lint/index.js'

let dir: string
let dockerfile: string
const config = (threshold: string): string => {
  const file = join(dir, `hadolint-${threshold}.yaml`)
  writeFileSync(file, `failure-threshold: ${threshold}\n`)
  return file
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lint-threshold-'))
  dockerfile = join(dir, 'Dockerfile')
  // one warning (DL3007) and nothing at error level
  writeFileSync(dockerfile, 'FROM debian:latest\nUSER 1000\nCMD ["sleep", "1"]\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('failure threshold resolution', () => {
  const run = (configFile: string | undefined, input: 'error' | 'warning' | undefined) =>
    lint({
      dockerfile,
      configFile,
      auditContext: false,
      overrides: { failureThreshold: input },
      defaultThreshold: ACTION_DEFAULT_THRESHOLD
    })

  it('honours failure-threshold from .hadolint.yaml when the input is unset', async () => {
    const r = await run(config('error'), undefined)
    expect(r.findings.map((f) => f.rule)).toContain('DL3007')
    expect(r.threshold).toBe('error')
    expect(r.failed).toBe(false)
  })
  it('lets an explicit input override the file', async () => {
    const r = await run(config('error'), 'warning')
    expect(r.threshold).toBe('warning')
    expect(r.failed).toBe(true)
  })
  it("falls back to the action's default (warning), not hadolint's (info)", async () => {
    const r = await run(undefined, undefined)
    expect(r.threshold).toBe('warning')
    expect(r.failed).toBe(true)
  })
  it("keeps hadolint's default when no default is given (CLI)", async () => {
    const r = await lint({ dockerfile, auditContext: false })
    expect(r.threshold).toBe('info')
  })
})
