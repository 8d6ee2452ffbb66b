import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cpSync } from 'node:fs'
import { lint, lintCommand, toAnnotations, toSarif, formatText } from '../../../src/lint/index.js'
import { fixturesDir, repoRoot } from './helpers.js'

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lintcli-'))
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true })
    writeFileSync(join(dir, p), text)
  }
  return dir
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await lintCommand(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) })
  return { code, out, err }
}

const GOOD =
  'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nUSER 10001\nCMD ["python", "-u", "app.py"]\n'
const BAD = 'FROM python:3-slim\nCOPY . .\nCMD python app.py\n'

describe('ml-docker lint', () => {
  it('prints the JSON contract for several files, each with its own context', async () => {
    const dir = project({
      'a/Dockerfile': BAD,
      'a/app.py': 'x',
      'a/.env': 'TOKEN=1',
      'b/Dockerfile': GOOD,
      'b/app.py': 'x'
    })
    const { code, out } = await run([
      '--format',
      'json',
      join(dir, 'a/Dockerfile'),
      join(dir, 'b/Dockerfile')
    ])
    expect(code).toBe(1)
    const { findings } = JSON.parse(out) as { findings: Record<string, unknown>[] }
    expect(Object.keys(findings[0]).sort()).toEqual(['file', 'line', 'message', 'rule', 'severity'])
    const a = findings.filter((f) => String(f.file).endsWith('a/Dockerfile')).map((f) => f.rule)
    expect(a).toEqual(expect.arrayContaining(['MLD001', 'MLD004', 'MLD009', 'DL3025', 'DL3045']))
    expect(findings.filter((f) => String(f.file).endsWith('b/Dockerfile'))).toEqual([])
  })

  it('follows the failure threshold and no-fail, and exits 2 on user errors', async () => {
    const dir = project({
      Dockerfile: 'FROM python:3.12-slim\nUSER app\n',
      'bad.yaml': 'failure-threshold: nope\n'
    })
    const df = join(dir, 'Dockerfile')
    expect((await run([df])).code).toBe(1) // DL3066 is info, threshold info
    expect((await run(['-t', 'warning', df])).code).toBe(0)
    expect((await run(['--no-fail', df])).code).toBe(0)
    expect((await run([join(dir, 'missing')])).code).toBe(2)
    const bad = await run(['--config', join(dir, 'bad.yaml'), df])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/failure threshold 'nope'/)
    expect((await run(['--format', 'xml', df])).code).toBe(2)
    expect((await run([])).code).toBe(2)
  })

  it('reads --config and hadolint-style flags', async () => {
    const dir = project({ Dockerfile: 'FROM debian\n', 'cfg.yaml': 'ignored: [DL3006, MLD012]\n' })
    const { out, code } = await run([
      '--format',
      'json',
      '--no-context',
      '--config',
      join(dir, 'cfg.yaml'),
      '--warning',
      'DL3057',
      join(dir, 'Dockerfile')
    ])
    const parsed = JSON.parse(out) as { findings: { rule: string }[] }
    expect(parsed.findings.map((f) => f.rule)).toEqual(['DL3057'])
    expect(code).toBe(1)
  })

  it('writes SARIF 2.1.0 with rules and located results', async () => {
    const dir = project({ Dockerfile: BAD, 'app.py': 'x' })
    const report = await lint({ dockerfile: join(dir, 'Dockerfile') })
    const sarif = toSarif(report) as {
      version: string
      runs: {
        tool: { driver: { rules: { id: string }[] } }
        results: {
          ruleId: string
          level: string
          locations: { physicalLocation: { region: { startLine: number } } }[]
        }[]
      }[]
    }
    expect(sarif.version).toBe('2.1.0')
    const run0 = sarif.runs[0]
    expect(run0.results.length).toBe(report.findings.length)
    for (const r of run0.results) {
      expect(run0.tool.driver.rules.some((x) => x.id === r.ruleId)).toBe(true)
      expect(['error', 'warning', 'note']).toContain(r.level)
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0)
    }
  })

  it('reports the context audit, counts, annotations at the true severity and a text summary', async () => {
    const dir = project({
      Dockerfile: BAD,
      'app.py': 'print(1)\n',
      'models/big.pt': 'x'.repeat(5000)
    })
    const report = await lint({ dockerfile: join(dir, 'Dockerfile') })
    const file = report.files[0]
    expect(file.context).toMatchObject({ fileCount: 3, totalBytes: BAD.length + 9 + 5000 })
    expect(file.context!.largest[0]).toEqual({ path: 'models/big.pt', bytes: 5000 })
    expect(report.counts.warning).toBe(
      report.findings.filter((f) => f.severity === 'warning').length
    )
    const ann = toAnnotations(report)
    expect(ann.find((a) => a.title.startsWith('MLD002'))).toMatchObject({
      level: 'warning',
      line: 2
    })
    expect(ann.find((a) => a.title.startsWith('DL3045'))?.level).toBe('warning')
    expect(formatText(report)).toMatch(/finding\(s\).*FAILED/)
  })
})

describe('the repository examples', () => {
  it('examples/ml-service has no error-level finding', async () => {
    const report = await lint({
      dockerfile: join(repoRoot, 'examples', 'ml-service', 'Dockerfile')
    })
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(report.counts.error).toBe(0)
  })

  it('a copy of seed 000 with its context fails with the expected findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed000-'))
    cpSync(join(fixturesDir, 'seeds', '000'), dir, { recursive: true })
    const report = await lint({ dockerfile: join(dir, 'Dockerfile') })
    expect(report.failed).toBe(true)
    const got = report.findings.map((f) => `${f.rule}@${f.line}`)
    expect(got).toEqual(
      expect.arrayContaining([
        'MLD002@18',
        'MLD003@18',
        'MLD011@5',
        'MLD012@1',
        'MLD018@24',
        'MLD019@5',
        'MLD019@20',
        'MLD021@15',
        'MLD024@15',
        'DL3008@5',
        'DL3015@5',
        'DL3025@24'
      ])
    )
    const levels = toAnnotations(report).filter((a) => a.title.startsWith('MLD018'))
    expect(levels).toEqual([expect.objectContaining({ level: 'warning', line: 24 })])
  })
})
