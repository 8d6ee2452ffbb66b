/**
 * Every credential-bearing input (`secret: true` in src/inputs.ts) is masked before any input is
 * parsed, in the action (the runner's ::add-mask::) and in the CLI (its own redaction). Each such
 * input gets a malformed value, and other inputs get malformed values that quote the credential;
 * the credential must then appear nowhere a person can see it: stdout, stderr, annotations,
 * outputs, state or the job summary.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cli } from '../../src/cli.js'
import { INPUTS } from '../../src/inputs.js'
import { main } from '../../src/main.js'

const SECRET_INPUTS = INPUTS.filter((i) => i.secret).map((i) => i.name)

interface Case {
  name: string
  inputs: Record<string, string>
}

/** The credential as the input carries it (well-formed), for a given secret value. */
function wellFormed(input: string, secret: string): Record<string, string> {
  if (input === 'secrets') return { secrets: `HF_TOKEN=${secret}` }
  if (input === 'password') return { password: secret, username: 'ci-bot' }
  if (input === 'registry-auth')
    return { 'registry-auth': `registry=registry.example.com,username=bot,password=${secret}` }
  return { [input]: secret }
}

/** Values that make parsing fail: the input's own malformed forms, and others quoting it. */
function cases(input: string, secret: string): Case[] {
  const own: Case[] =
    input === 'secrets'
      ? [
          { name: 'a line without =', inputs: { secrets: secret } },
          { name: 'a bad line after a good one', inputs: { secrets: `A=1\n${secret}` } },
          { name: 'an empty id', inputs: { secrets: `=${secret}` } }
        ]
      : input === 'password'
        ? [
            { name: 'no username', inputs: { password: secret } },
            { name: 'several lines, no username', inputs: { password: `${secret}\n${secret}x` } }
          ]
        : input === 'registry-auth'
          ? [
              { name: 'no registry', inputs: { 'registry-auth': `username=u,password=${secret}` } },
              {
                name: 'an unknown key',
                inputs: { 'registry-auth': `registry=a,user=u,pw=${secret}` }
              },
              {
                name: 'a bad second line',
                inputs: { 'registry-auth': `registry=a,username=u,password=p\n${secret}` }
              },
              {
                name: 'the same registry twice',
                inputs: {
                  'registry-auth': `registry=a,username=u,password=${secret}\nregistry=a,username=v,password=${secret}2`
                }
              }
            ]
          : []
  const quoting: [string, string][] = [
    ['push', secret],
    ['cache-mode', secret],
    ['lint-failure-threshold', secret],
    ['scan-severity', secret],
    ['trivy-version', secret],
    ['smoke-timeout', secret],
    ['lint', secret],
    ['build-args', secret],
    ['smoke-env', `OK=1\n${secret}`],
    ['platforms', `linux/amd64,${secret}`]
  ]
  return [
    ...own,
    ...quoting.map(([other, value]) => ({
      name: `${other} quoting it`,
      inputs: { ...wellFormed(input, secret), [other]: value }
    }))
  ]
}

const context = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-mask-'))
writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\n')

function secretFor(input: string): string {
  return `Zq9-${input}-s3cr3tVALUE-7f`
}

it('knows the credential inputs', () => {
  expect(SECRET_INPUTS.sort()).toEqual([
    'github-token',
    'password',
    'registry-auth',
    'secrets',
    'signing-password'
  ])
})

describe('action: masked before parsing', () => {
  let saved: NodeJS.ProcessEnv
  let dir: string
  let written: string[]
  const realWrite = process.stdout.write.bind(process.stdout)

  beforeEach(() => {
    saved = { ...process.env }
    dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-mask-run-'))
    for (const f of ['output', 'state', 'summary']) writeFileSync(path.join(dir, f), '')
    for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k]
    Object.assign(process.env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: context,
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STATE: path.join(dir, 'state'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary')
    })
    written = []
    process.stdout.write = (chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    }
  })
  afterEach(() => {
    process.stdout.write = realWrite
    process.env = saved
    process.exitCode = undefined
  })

  for (const input of SECRET_INPUTS) {
    const secret = secretFor(input)
    for (const c of cases(input, secret)) {
      it(`${input}: ${c.name}`, async () => {
        for (const [k, v] of Object.entries(c.inputs))
          process.env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v
        await main()
        const stdout = written.join('')
        process.stdout.write = realWrite
        // It failed, with an error annotation...
        expect(process.exitCode).toBe(1)
        const lines = stdout.split('\n')
        const firstError = lines.findIndex((l) => l.startsWith('::error::'))
        expect(firstError).toBeGreaterThanOrEqual(0)
        // ...after the credential was handed to the runner for masking...
        const mask = lines.findIndex((l) => l === `::add-mask::${secret}`)
        expect(mask).toBeGreaterThanOrEqual(0)
        expect(mask).toBeLessThan(firstError)
        // ...and it shows nowhere else.
        const visible = lines.filter((l) => !l.startsWith('::add-mask::')).join('\n')
        expect(visible).not.toContain(secret)
        for (const f of ['output', 'state', 'summary'])
          expect(readFileSync(path.join(dir, f), 'utf8')).not.toContain(secret)
      })
    }
  }
})

describe('CLI: redacted before parsing', () => {
  async function run(
    argv: string[],
    env: NodeJS.ProcessEnv
  ): Promise<{ code: number; all: string }> {
    const lines: string[] = []
    const code = await cli(
      argv,
      { stdout: (s) => lines.push(s), stderr: (s) => lines.push(s) },
      env
    )
    return { code, all: lines.join('\n') }
  }

  for (const input of SECRET_INPUTS) {
    const secret = secretFor(input)
    for (const c of cases(input, secret)) {
      it(`${input}: ${c.name}, as INPUT_* variables`, async () => {
        const env: NodeJS.ProcessEnv = {}
        for (const [k, v] of Object.entries(c.inputs)) env[`INPUT_${k.toUpperCase()}`] = v
        const r = await run(['run', context], env)
        expect(r.code).toBe(2)
        expect(r.all).toMatch(/^ml-docker: /)
        expect(r.all).not.toContain(secret)
      })
      // The password has no flag (only --password-stdin); the others do.
      if (!('password' in c.inputs)) {
        it(`${input}: ${c.name}, as flags`, async () => {
          const flags = Object.entries(c.inputs).flatMap(([k, v]) => [`--${k}=${v}`])
          const r = await run(['run', context, ...flags], {})
          expect(r.code).toBe(2)
          expect(r.all).not.toContain(secret)
        })
      }
    }
  }

  it('password: refused as a flag without repeating it', async () => {
    const secret = secretFor('password')
    for (const argv of [
      ['run', '--password', secret],
      ['run', `--password=${secret}`]
    ]) {
      const r = await run(argv, {})
      expect(r.code).toBe(2)
      expect(r.all).not.toContain(secret)
    }
  })

  it('meta: the token is redacted from an error that quotes it', async () => {
    const secret = secretFor('github-token')
    const r = await run(['meta', '--images', `acme/${secret.toLowerCase()}:x`], {
      'INPUT_GITHUB-TOKEN': secret.toLowerCase()
    })
    expect(r.code).toBe(2)
    expect(r.all).toContain('ends with a tag')
    expect(r.all).not.toContain(secret.toLowerCase())
  })
})
