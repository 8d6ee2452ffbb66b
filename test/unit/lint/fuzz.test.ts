/**
 * Robustness: mutated Dockerfiles (truncations, random bytes, unbalanced quotes, unterminated
 * heredocs, CRLF, BOM, huge lines) must always give a list of findings, never an exception.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { lintSource, type VirtualContext } from '../../../src/lint/index.js'
import { fixturesDir, repoRoot } from './helpers.js'

const corpusDir = join(repoRoot, 'bench', 'corpus')
const seeds = [
  ...readdirSync(corpusDir).map((n) => readFileSync(join(corpusDir, n), 'utf8')),
  ...readdirSync(join(fixturesDir, 'seeds')).map((s) =>
    readFileSync(join(fixturesDir, 'seeds', s, 'Dockerfile'), 'utf8')
  )
]
const context: VirtualContext = {
  files: [
    { path: 'requirements.txt', size: 20, content: 'torch>=2\n-r other.txt\n--index-url x\n' },
    { path: 'models/a.pt', size: 20 * 1024 * 1024 },
    { path: '.env', size: 3 }
  ],
  dockerignore: '*.log\n!keep.log\n**/__pycache__\n['
}

const SNIPPETS = [
  '"',
  "'",
  '`',
  '$(',
  '${',
  '\\\n',
  '<<EOF\n',
  '<<-EOF\n',
  '\r\n',
  '\uFEFF',
  '[',
  ']',
  '|',
  '&&',
  '#',
  '\u0000',
  'ONBUILD ',
  'FROM ',
  'RUN ',
  '--mount=',
  'x'.repeat(100_000)
]

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(...SNIPPETS),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 10 })
    )
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.nat({ max: 50 }) }),
  fc.record({ kind: fc.constant('crlf' as const) }),
  fc.record({ kind: fc.constant('bom' as const) })
)

function apply(
  text: string,
  m: fc.Arbitrary<unknown> extends never
    ? never
    : { kind: string; at?: number; text?: string; n?: number }
): string {
  const at = text.length === 0 ? 0 : (m.at ?? 0) % (text.length + 1)
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at)
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at)
    case 'delete':
      return text.slice(0, at) + text.slice(at + (m.n ?? 0))
    case 'crlf':
      return text.replace(/\n/g, '\r\n')
    default:
      return '\uFEFF' + text
  }
}

describe('robustness', () => {
  it('always returns findings for mutated Dockerfiles', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (seed, muts, withContext) => {
          const text = muts.reduce((t, m) => apply(t, m), seed)
          const findings = lintSource(text, withContext ? { context } : {})
          expect(Array.isArray(findings)).toBe(true)
          for (const f of findings) {
            expect(f.line).toBeGreaterThanOrEqual(1)
            expect(f.message.length).toBeGreaterThan(0)
            expect(f.message).not.toMatch(/internal error/)
          }
        }
      ),
      { numRuns: 400, seed: 4242 }
    )
  })

  it('survives arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const findings = lintSource(text)
        expect(findings.every((f) => !/internal error/.test(f.message))).toBe(true)
      }),
      { numRuns: 300, seed: 7 }
    )
  })

  it('handles the edge cases named in the issue', () => {
    const cases = [
      '',
      '\uFEFF',
      'FROM a:1\r\nRUN echo "unbalanced\r\n',
      'FROM a:1\nRUN <<EOF\napt-get install x\n',
      'FROM a:1\nRUN ' + 'a'.repeat(500_000) + '\n',
      'FROM a:1\nRUN echo \\',
      'FROM a:1\nCMD ["unterminated", \n',
      'FROM\n',
      'ONBUILD\n',
      'FROM a:1\nCOPY --from= . .\nRUN --mount=type= x\n'
    ]
    for (const c of cases) expect(() => lintSource(c, { context })).not.toThrow()
  })
})
