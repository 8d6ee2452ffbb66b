import { expect, it } from '@jest/globals'
import path from 'node:path'
import { describeTestbed, ROOT, spawnCollect } from './testbed.js'

const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const cleanEnv = { PATH: process.env.PATH, HOME: process.env.HOME }

describeTestbed('bundled CLI', () => {
  it('lints the example with no error-level finding, and the seed Dockerfile with errors', async () => {
    const ok = await spawnCollect(
      'node',
      [CLI, 'lint', '--format', 'json', path.join(ROOT, 'examples/ml-service/Dockerfile')],
      cleanEnv,
      ROOT
    )
    const findings = (JSON.parse(ok.stdout) as { findings: { severity: string }[] }).findings
    expect(findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it('prints metadata-action compatible JSON from INPUT_* variables', async () => {
    const env = {
      ...cleanEnv,
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/tags/v1.2.3',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REPOSITORY: 'acme/svc',
      INPUT_IMAGES: 'acme/svc'
    }
    const res = await spawnCollect('node', [CLI, 'meta', '--format', 'json'], env, ROOT)
    expect(res.code).toBe(0)
    const meta = JSON.parse(res.stdout) as { version: string; tags: string[] }
    expect(meta.version).toBe('1.2.3')
    expect(meta.tags).toEqual(
      expect.arrayContaining(['acme/svc:1.2.3', 'acme/svc:1.2', 'acme/svc:1', 'acme/svc:latest'])
    )
  })

  it('refuses a password on the command line and says how to pass it', async () => {
    const res = await spawnCollect('node', [CLI, 'run', '--password', 'x'], cleanEnv, ROOT)
    expect(res.code).toBe(2)
    expect(res.output).toContain('--password-stdin')
  })
})
