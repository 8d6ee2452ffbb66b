/**
 * hadolint conformance: every case of shared/conformance/hadolint-spec-cases.json (facts from
 * hadolint's own spec suite). Only the named rule is scored; other findings are ignored.
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
  note: string
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
    const lines = disagreements.map((d) => `${d.c.id} expected ${d.c.fires ? 'fire' : 'silent'}: ${DELIBERATE[d.c.id] ?? 'UNEXPLAINED'}`)
    process.stdout.write(
      `hadolint conformance: ${results.length - disagreements.length}/${results.length} = ${(agreement * 100).toFixed(1)} %\n` +
        lines.map((l) => `  ${l}\n`).join('')
    )
    expect(disagreements.filter((d) => !(d.c.id in DELIBERATE)).map((d) => `${d.c.id}: ${d.c.note}`)).toEqual([])
    expect(Object.keys(DELIBERATE).filter((id) => !disagreements.some((d) => d.c.id === id))).toEqual([])
    expect(agreement).toBeGreaterThanOrEqual(0.97)
  })

  it('reports the stated number of findings where the case gives one', () => {
    for (const c of cases.filter((x) => (x as { count?: number }).count !== undefined)) {
      const n = lintSource(c.dockerfile, { overrides: { trustedRegistries: c.config?.trustedRegistries } }).filter(
        (f) => f.rule === c.rule
      ).length
      expect({ id: c.id, n }).toEqual({ id: c.id, n: (c as { count?: number }).count })
    }
  })
})
