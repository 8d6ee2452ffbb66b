/**
 * hadolint conformance: every case of test/fixtures/conformance/hadolint-spec-cases.json (facts
 * from hadolint's own spec suite). Only the named rule is scored; other findings are ignored.
 * Deliberate disagreements are listed below with their reason; the test fails if agreement
 * drops under 97 % or if a disagreement appears that is not listed (or a listed one vanishes).
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { lintSource } from '../../../src/lint/index.js'
import { casesFile } from './helpers.js'

interface Case {
  id: string
  rule: string
  dockerfile: string
  fires: boolean
  spec_test: string
  since?: string
  config?: { trustedRegistries?: string[] }
}

/** id -> why we deliberately differ from the stated verdict. */
export const DELIBERATE: Record<string, string> = {}

const cases = JSON.parse(readFileSync(casesFile(), 'utf8')) as Case[]

function fires(c: Case): boolean {
  const findings = lintSource(c.dockerfile, {
    overrides: {
      trustedRegistries: c.config?.trustedRegistries,
      // DL3057 is off by default; its cases state the verdict with the rule enabled.
      override: c.rule === 'DL3057' ? { warning: ['DL3057'] } : undefined
    }
  })
  return findings.some((f) => f.rule === c.rule)
}

describe('hadolint conformance', () => {
  const results = cases.map((c) => ({ c, got: fires(c) }))
  const disagreements = results.filter((r) => r.got !== r.c.fires)

  it('covers all 413 cases', () => {
    expect(cases.length).toBe(413)
  })

  it('agrees on at least 97 % and every disagreement is deliberate', () => {
    const agreement = (results.length - disagreements.length) / results.length
    const lines = disagreements.map(
      (d) =>
        `${d.c.id} expected ${d.c.fires ? 'fire' : 'silent'}: ${DELIBERATE[d.c.id] ?? 'UNEXPLAINED'}`
    )
    process.stdout.write(
      `hadolint conformance: ${results.length - disagreements.length}/${results.length} = ${(agreement * 100).toFixed(1)} %\n` +
        lines.map((l) => `  ${l}\n`).join('')
    )
    expect(
      disagreements.filter((d) => !(d.c.id in DELIBERATE)).map((d) => `${d.c.id}: ${d.c.spec_test}`)
    ).toEqual([])
    expect(
      Object.keys(DELIBERATE).filter((id) => !disagreements.some((d) => d.c.id === id))
    ).toEqual([])
    expect(agreement).toBeGreaterThanOrEqual(0.97)
  })

  it('reports the stated number of findings where the case gives one', () => {
    for (const c of cases.filter((x) => (x as { count?: number }).count !== undefined)) {
      const n = lintSource(c.dockerfile, {
        overrides: { trustedRegistries: c.config?.trustedRegistries }
      }).filter((f) => f.rule === c.rule).length
      expect({ id: c.id, n }).toEqual({ id: c.id, n: (c as { count?: number }).count })
    }
  })
})

/**
 * Where we deliberately depart from hadolint 2.15.1 (docs/lint.md, "Deliberate differences"):
 * these pin our side of each difference so it cannot drift silently.
 */
describe('deliberate differences from hadolint 2.15.1', () => {
  const rules = (src: string) => lintSource(src).map((f) => `${f.rule}@${f.line}`)
  it('lints an instruction placed directly after a heredoc terminator (hadolint: DL1000)', () => {
    expect(rules('FROM debian:12\nRUN <<EOF\napt-get install foo\nEOF\nRUN echo hi\n')).toEqual(
      expect.arrayContaining(['DL3008@2', 'DL3014@2', 'DL3015@2'])
    )
  })
  it('lints <<- heredocs (hadolint: DL1000)', () => {
    expect(rules('FROM debian:12\nRUN <<-EOF\n\tapt-get install -y foo\n\tEOF\n')).toContain(
      'DL3008@2'
    )
  })
  it('lints the body of RUN bash <<EOF (hadolint: hidden)', () => {
    expect(rules('FROM debian:12\nRUN bash <<EOF\napt-get install -y foo\nEOF\n')).toContain(
      'DL3008@2'
    )
  })
  it('reads registries with a port (hadolint: DL1000)', () => {
    expect(rules('FROM localhost:5000/app:1\n')).not.toContain('DL1000@1')
  })
})
