import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UserError } from '../../../src/errors.js'
import {
  configFromEnv,
  mergeConfig,
  parseConfigText,
  resolveConfig
} from '../../../src/lint/config.js'
import { lintSource } from '../../../src/lint/index.js'

/** MLD012 (no USER) fires on nearly every snippet here; it is not what these tests are about. */
const rules = (src: string, overrides: { ignored?: string[] } = {}) =>
  lintSource(src, {
    overrides: { ...overrides, ignored: [...(overrides.ignored ?? []), 'MLD012'] }
  }).map((f) => `${f.rule}@${f.line}`)

describe('.hadolint.yaml', () => {
  it('reads the keys users have', () => {
    const cfg = mergeConfig(
      parseConfigText(
        'ignored: [DL3008, MLD012]\noverride:\n  error: [DL3015]\n  warning: [DL3057]\nfailure-threshold: warning\ntrustedRegistries:\n  - docker.io\nno-fail: true\n',
        'x.yaml'
      )
    )
    expect(cfg).toMatchObject({
      ignored: ['DL3008', 'MLD012'],
      failureThreshold: 'warning',
      trustedRegistries: ['docker.io'],
      noFail: true,
      override: { error: ['DL3015'], warning: ['DL3057'] }
    })
  })

  it('rejects what hadolint would not understand, as a UserError', () => {
    expect(() => parseConfigText('failure-threshold: fatal\n', 'c.yaml')).toThrow(UserError)
    expect(() => parseConfigText('override:\n  critical: [DL3008]\n', 'c.yaml')).toThrow(
      /override level 'critical'/
    )
    expect(() => parseConfigText('ignored: {a: 1}\n', 'c.yaml')).toThrow(/'ignored' must be a list/)
    expect(() => parseConfigText('ignored: [\n', 'c.yaml')).toThrow(/invalid YAML/)
    expect(() => resolveConfig({ configFile: '/nonexistent/.hadolint.yaml' })).toThrow(UserError)
  })

  it('lets overrides win over the file and hadolint environment variables over the file', () => {
    const file = parseConfigText(
      'failure-threshold: error\nignored: [DL3008]\noverride:\n  info: [DL3013]\n',
      'f'
    )
    const env = configFromEnv({
      HADOLINT_FAILURE_THRESHOLD: 'warning',
      HADOLINT_OVERRIDE_ERROR: 'DL3013'
    })
    const cfg = mergeConfig(file, env, { failureThreshold: 'style', ignored: ['DL3015'] })
    expect(cfg.failureThreshold).toBe('style')
    expect(cfg.ignored).toEqual(['DL3008', 'DL3015'])
    expect(cfg.override).toEqual({ error: ['DL3013'], info: [] })
  })

  it('discovers .hadolint.yaml in the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lintcfg-'))
    writeFileSync(join(dir, '.hadolint.yaml'), 'ignored: [DL3007]\n')
    expect(resolveConfig({ cwd: dir, env: { HOME: dir } }).ignored).toEqual(['DL3007'])
    const elsewhere = mkdtempSync(join(tmpdir(), 'lintcfg-'))
    expect(resolveConfig({ cwd: elsewhere, env: { HOME: elsewhere } }).ignored).toEqual([])
    // hadolint also looks in the home directory
    expect(resolveConfig({ cwd: elsewhere, env: { HOME: dir } }).ignored).toEqual(['DL3007'])
  })
})

describe('severity overrides and ignores', () => {
  const src = 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n'
  it('changes the severity and enables rules that are off by default', () => {
    expect(rules(src)).not.toContain('DL3057@1')
    const f = lintSource(src, { overrides: { override: { error: ['DL3057', 'DL3008'] } } })
    expect(
      f.filter((x) => x.rule === 'DL3057' || x.rule === 'DL3008').map((x) => x.severity)
    ).toEqual(['error', 'error'])
  })
  it('ignores DL and MLD ids alike', () => {
    expect(
      rules(src, { ignored: ['DL3008', 'MLD012'] }).some(
        (r) => r.startsWith('DL3008') || r.startsWith('MLD012')
      )
    ).toBe(false)
  })
})

describe('inline pragmas (hadolint scoping)', () => {
  const run = 'RUN apt-get install -y x\n'
  it('ignore= applies to the next line only, also above a continued instruction', () => {
    expect(
      rules('FROM a:1\n# hadolint ignore=DL3008,DL3015\nRUN apt-get install -y \\\n  x\n')
    ).toEqual([])
    expect(rules('FROM a:1\n# hadolint ignore=DL3008\n\n' + run)).toContain('DL3008@4')
    expect(rules('FROM a:1\n# hadolint ignore=DL3008\n# another comment\n' + run)).toContain(
      'DL3008@4'
    )
  })
  it('is strict about syntax: upper case, free text only after #', () => {
    expect(rules('FROM a:1\n# hadolint ignore=dl3008\n' + run)).toContain('DL3008@3')
    expect(rules('FROM a:1\n# hadolint ignore=DL3008 because\n' + run)).toContain('DL3008@3')
    expect(rules('FROM a:1\n# hadolint ignore=DL3008 # because\n' + run)).not.toContain('DL3008@3')
    expect(rules('FROM a:1\n#hadolint ignore=DL3008, DL3015\n' + run)).toEqual([])
  })
  it('global ignore works from anywhere; stage ignore covers its stage after the FROM line', () => {
    expect(rules('FROM a:1\n' + run + '# hadolint global ignore=DL3008\n')).not.toContain(
      'DL3008@2'
    )
    const staged = rules(
      '# hadolint stage ignore=DL3008,DL3006\nFROM a\n' + run + 'FROM b:1\n' + run
    )
    expect(staged).toEqual(expect.arrayContaining(['DL3006@2', 'DL3008@5']))
    expect(staged).not.toContain('DL3008@3')
  })
  it('works for MLD ids too, and a parse error cannot be ignored by pragma', () => {
    expect(rules('# hadolint ignore=MLD009\nFROM python:3-slim\n')).toEqual([])
    expect(rules('# hadolint global ignore=DL1000\nFROM a:1\nBOGUS x\n')).toEqual(['DL1000@3'])
  })
})
