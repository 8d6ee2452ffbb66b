import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseCommand } from '../../src/args.js'
import { cli, parseRunArgs, RUN_SPEC } from '../../src/cli.js'
import { INPUTS } from '../../src/inputs.js'

async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = {}
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await cli(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-cli-'))
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(d, f), text)
  return d
}

/** Every line a failing command writes to stderr carries the one prefix. */
function expectPrefixed(err: string): void {
  const lines = err.split('\n').filter(Boolean)
  expect(lines.length).toBeGreaterThan(0)
  for (const l of lines) expect(l).toMatch(/^ml-docker: /)
}

describe('ml-docker run flags', () => {
  it('maps flags to input names, repeats to lines, switches to values', () => {
    const a = parseRunArgs([
      'svc',
      '--tags',
      'type=ref,event=branch',
      '--tags=type=sha',
      '--no-smoke',
      '--push',
      '--scan-severity',
      'CRITICAL'
    ])
    expect(a.values).toEqual({
      context: 'svc',
      tags: 'type=ref,event=branch\ntype=sha',
      smoke: 'false',
      push: 'true',
      'scan-severity': 'CRITICAL'
    })
  })

  it('has one option per action input (driven by src/inputs.ts)', () => {
    for (const i of INPUTS) expect(Object.keys(RUN_SPEC.options)).toContain(i.name)
  })

  it('reads a switch as --x, --no-x, --x=v or --x v (a bare word)', () => {
    expect(parseRunArgs(['--push']).values.push).toBe('true')
    expect(parseRunArgs(['--push', '--lint']).values).toEqual({ push: 'true', lint: 'true' })
    expect(parseRunArgs(['--no-push']).values.push).toBe('false')
    expect(parseRunArgs(['--push=false']).values.push).toBe('false')
    expect(parseRunArgs(['--push', 'auto']).values.push).toBe('auto')
    expect(parseRunArgs(['--scan', 'false', 'ctx/dir']).values).toEqual({
      scan: 'false',
      context: 'ctx/dir'
    })
    expect(parseRunArgs(['--push', 'sometimes']).values.push).toBe('sometimes')
    expect(parseRunArgs(['--push', './svc']).values).toEqual({ push: 'true', context: './svc' })
  })

  it('takes the password only on stdin, without echoing it', () => {
    expect(() => parseRunArgs(['--password', 'hunter2-xyz'])).toThrow(/--password-stdin/)
    expect(() => parseRunArgs(['--password=hunter2-xyz'])).not.toThrow(/hunter2/)
    expect(parseRunArgs(['--password-stdin']).passwordStdin).toBe(true)
    for (const argv of [
      ['--registry-auth', 'registry=r,username=u,password=hunter2-xyz'],
      ['--registry-auth=registry=r,username=u,password=hunter2-xyz']
    ]) {
      expect(() => parseRunArgs(argv)).toThrow(/INPUT_REGISTRY-AUTH/)
      expect(() => parseRunArgs(argv)).not.toThrow(/hunter2/)
    }
  })

  it('says which option is unknown, missing its value or given one it does not take', () => {
    expect(() => parseRunArgs(['--imagez', 'a'])).toThrow(
      'unknown option --imagez for "ml-docker run"; run "ml-docker run --help" for the options'
    )
    expect(() => parseRunArgs(['--images'])).toThrow('option --images needs a value')
    expect(() => parseRunArgs(['--tags', '-x'])).toThrow(/--tags=VALUE/)
    expect(() => parseRunArgs(['--verbose=1'])).toThrow('option --verbose takes no value')
    expect(() => parseRunArgs(['a', 'b'])).toThrow(/takes at most 1 CONTEXT directory, got 2/)
  })
})

describe('the shared parser', () => {
  const spec = {
    command: 'x',
    maxPositionals: 0,
    options: {
      list: { kind: 'string' as const, multiple: true },
      one: { kind: 'string' as const, short: 'o' },
      flag: { kind: 'flag' as const },
      sw: { kind: 'switch' as const }
    }
  }
  it('keeps repeated values in order, takes the last single value, honours --', () => {
    const p = parseCommand(spec, ['--list', 'a', '--list=b', '-o', '1', '--one', '2', '--flag'])
    expect(p.strings).toEqual({ list: ['a', 'b'], one: ['2'] })
    expect([...p.flags]).toEqual(['flag'])
    expect(() => parseCommand(spec, ['--', '--sw'])).toThrow(/takes no arguments/)
    expect(
      parseCommand({ ...spec, maxPositionals: Infinity }, ['--', '--no-sw']).positionals
    ).toEqual(['--no-sw'])
  })
  it('never reads --no-x as a switch unless x is one', () => {
    expect(() => parseCommand(spec, ['--no-flag'])).toThrow(/unknown option --no-flag/)
    expect(parseCommand(spec, ['--no-sw']).switches).toEqual({ sw: 'false' })
  })
})

describe('exit codes and messages of the three commands', () => {
  const good = dir({
    Dockerfile:
      'FROM python:3.12-slim@sha256:' +
      'a'.repeat(64) +
      '\nWORKDIR /app\nCOPY app.py .\nUSER 10001\n' +
      'HEALTHCHECK CMD ["python", "-c", "print(1)"]\nCMD ["python", "-u", "app.py"]\n',
    'app.py': 'print(1)\n'
  })
  const bad = dir({ Dockerfile: 'FROM python:3-slim\nCOPY . .\nCMD python app.py\n' })

  it('run: an input error is exit 2 with the allowed values (--push sometimes)', async () => {
    const r = await run(['run', good, '--push', 'sometimes'])
    expect(r.code).toBe(2)
    expect(r.err).toBe('ml-docker: Input "push" must be auto, true or false, got "sometimes".')
  })

  it('run: a usage error is exit 2', async () => {
    for (const argv of [
      ['run', '--imagez', 'x'],
      ['run', 'a', 'b'],
      ['run', '--password', 'x']
    ]) {
      const r = await run(argv)
      expect(r.code).toBe(2)
      expectPrefixed(r.err)
    }
  })

  it('run: a missing Dockerfile is a user error (exit 2), found by the pipeline', async () => {
    const empty = dir()
    const r = await run(['run', empty, '--no-lint'])
    expect(r.code).toBe(2)
    expect(r.err).toBe(
      `ml-docker: Dockerfile not found: ${path.join(empty, 'Dockerfile')}. Set "file" (or "context") to where it is.`
    )
  })

  it('lint: 0 clean, 1 findings, 2 usage and user errors, one prefix', async () => {
    expect((await run(['lint', '-t', 'error', path.join(good, 'Dockerfile')])).code).toBe(0)
    expect((await run(['lint', path.join(bad, 'Dockerfile')])).code).toBe(1)
    for (const argv of [
      ['lint'],
      ['lint', '--colour', 'x'],
      ['lint', '--format', 'xml', 'Dockerfile'],
      ['lint', '-t', 'loud', 'Dockerfile'],
      ['lint', path.join(bad, 'missing')]
    ]) {
      const r = await run(argv)
      expect(r.code).toBe(2)
      expectPrefixed(r.err)
    }
  })

  it('meta: 0 on success, 2 on usage and configuration errors, one prefix', async () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REPOSITORY: 'acme/svc'
    }
    expect((await run(['meta', '--images', 'acme/svc'], env)).code).toBe(0)
    for (const argv of [
      ['meta', '--colour', 'x'],
      ['meta', '--tags', 'type=semver'],
      ['meta', '--images', 'Acme/App:latest']
    ]) {
      const r = await run(argv, env)
      expect(r.code).toBe(2)
      expectPrefixed(r.err)
    }
  })

  it('no command or an unknown one is exit 2; help is 0', async () => {
    const none = await run([])
    expect(none.code).toBe(2)
    expect(none.err).toMatch(/^ml-docker: no command given/)
    const unknown = await run(['deploy'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toBe(
      'ml-docker: unknown command "deploy"; the commands are run, lint and meta'
    )
    for (const argv of [['--help'], ['run', '--help'], ['lint', '-h'], ['meta', '--help']]) {
      const r = await run(argv)
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/^Usage|^usage/)
    }
  })
})
