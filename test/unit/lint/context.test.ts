import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildContext, readContext } from '../../../src/lint/context.js'

describe('.dockerignore with Docker semantics', () => {
  const excluded = (patterns: string, path: string) =>
    buildContext({ files: [], dockerignore: patterns }).isExcluded(path)
  it('anchors patterns at the context root', () => {
    expect(excluded('*.pkl', 'a.pkl')).toBe(true)
    expect(excluded('*.pkl', 'models/a.pkl')).toBe(false)
    expect(excluded('__pycache__/', 'src/__pycache__/x.pyc')).toBe(false)
    expect(excluded('/data\n./logs', 'data/x.csv')).toBe(true)
    expect(excluded('./logs', 'logs/a.log')).toBe(true)
  })
  it('supports ** and ! re-includes (last match wins)', () => {
    expect(excluded('**/*.pkl', 'models/a.pkl')).toBe(true)
    expect(excluded('models/\n!models/keep.pt', 'models/keep.pt')).toBe(false)
    expect(excluded('models/\n!models/keep.pt', 'models/other.pt')).toBe(true)
    expect(excluded('!a.txt\n*.txt', 'a.txt')).toBe(true)
  })
  it('counts an ignore file without patterns as missing', () => {
    expect(buildContext({ files: [], dockerignore: '# only comments\n\n' }).hasIgnoreFile).toBe(
      false
    )
  })
})

describe('context audit on disk', () => {
  it('prefers <Dockerfile>.dockerignore, skips excluded trees and reports sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lintctx-'))
    const put = (p: string, bytes: number) => {
      mkdirSync(join(dir, p, '..'), { recursive: true })
      writeFileSync(join(dir, p), 'x'.repeat(bytes))
    }
    put('Dockerfile.prod', 10)
    put('Dockerfile.prod.dockerignore', 0)
    writeFileSync(join(dir, 'Dockerfile.prod.dockerignore'), 'node_modules\n*.log\n')
    writeFileSync(join(dir, '.dockerignore'), '*\n')
    put('src/app.py', 100)
    put('models/w.safetensors', 3000)
    put('node_modules/x/index.js', 999999)
    put('debug.log', 50)
    writeFileSync(join(dir, 'requirements.txt'), 'torch==2.3.1\n')
    const { context, audit } = await readContext(dir, join(dir, 'Dockerfile.prod'))
    expect(context.dockerignoreName).toBe('Dockerfile.prod.dockerignore')
    expect(context.files.find((f) => f.path === 'requirements.txt')?.content).toBe('torch==2.3.1\n')
    expect(context.files.some((f) => f.path.startsWith('node_modules/x'))).toBe(false)
    expect(audit.largest[0]).toEqual({ path: 'models/w.safetensors', bytes: 3000 })
    expect(audit.largest.some((l) => l.path === 'debug.log')).toBe(false)
    expect(audit.fileCount).toBe(6)
  })
})
