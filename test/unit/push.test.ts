import { describe, expect, it } from '@jest/globals'
import { Docker } from '../../src/docker.js'
import type { RunOptions, RunResult } from '../../src/exec.js'
import { ConsoleLogger } from '../../src/log.js'
import { push } from '../../src/push/index.js'

const ID = 'sha256:' + '1'.repeat(64)
const DIGEST = 'sha256:' + 'd'.repeat(64)

/** A docker CLI that answers from a script: local image ids, and push outcomes per attempt. */
class ScriptedDocker extends Docker {
  calls: string[][] = []
  constructor(
    private readonly ids: Record<string, string>,
    private readonly pushOutcomes: Record<string, number[]>
  ) {
    super(
      new ConsoleLogger(
        () => undefined,
        () => undefined
      )
    )
  }
  override run(args: string[], _opts: RunOptions = {}): Promise<RunResult> {
    return Promise.resolve(this.answer(args))
  }
  private answer(args: string[]): RunResult {
    this.calls.push(args)
    const ok = (stdout: string): RunResult => ({
      code: 0,
      stdout,
      stderr: '',
      output: stdout,
      timedOut: false
    })
    if (args[0] === 'image' && args[1] === 'inspect') {
      const id = this.ids[args[args.length - 1]]
      return id
        ? ok(id + '\n')
        : { code: 1, stdout: '', stderr: 'No such image', output: 'No such image', timedOut: false }
    }
    if (args[0] === 'push') {
      const code = this.pushOutcomes[args[1]]?.shift() ?? 0
      return code === 0
        ? ok(`${args[1].split(':').pop()}: digest: ${DIGEST} size: 1234\n`)
        : {
            code,
            stdout: '',
            stderr: 'received unexpected HTTP status: 503',
            output: 'received unexpected HTTP status: 503',
            timedOut: false
          }
    }
    throw new Error(`unexpected docker ${args.join(' ')}`)
  }
}

const tags = ['r/app:latest', 'r/app:1.2.3', 'r/app:1.2']

describe('push', () => {
  it('pushes every tag, version tags first, and reports the digest', async () => {
    const docker = new ScriptedDocker(Object.fromEntries(tags.map((t) => [t, ID])), {})
    const res = await push(docker, ID, tags, { backoffMs: 1 })
    expect(res.pushed).toEqual(['r/app:1.2.3', 'r/app:1.2', 'r/app:latest'])
    expect(res.digest).toBe(DIGEST)
    expect(res.digests).toEqual({ 'r/app': DIGEST })
  })

  it('retries a failed push with backoff and then succeeds', async () => {
    const docker = new ScriptedDocker(Object.fromEntries(tags.map((t) => [t, ID])), {
      'r/app:1.2.3': [1, 1]
    })
    const res = await push(docker, ID, tags, { backoffMs: 1 })
    expect(docker.calls.filter((c) => c[0] === 'push' && c[1] === 'r/app:1.2.3')).toHaveLength(3)
    expect(res.pushed).toHaveLength(3)
  })

  it('gives up after the retries, says what was already pushed, and never moves latest', async () => {
    const docker = new ScriptedDocker(Object.fromEntries(tags.map((t) => [t, ID])), {
      'r/app:1.2': [1, 1, 1, 1]
    })
    await expect(push(docker, ID, tags, { retries: 3, backoffMs: 1 })).rejects.toThrow(
      /docker push r\/app:1\.2 failed after 4 attempts.*Already pushed: r\/app:1\.2\.3/s
    )
    expect(docker.calls.some((c) => c[0] === 'push' && c[1] === 'r/app:latest')).toBe(false)
  })

  it('refuses to push anything when a tag no longer names the tested image', async () => {
    const docker = new ScriptedDocker(
      { 'r/app:latest': ID, 'r/app:1.2.3': 'sha256:' + '2'.repeat(64), 'r/app:1.2': ID },
      {}
    )
    await expect(push(docker, ID, tags)).rejects.toThrow(
      /Refusing to push: r\/app:1\.2\.3 is sha256:2+ locally, not the tested image/
    )
    expect(docker.calls.some((c) => c[0] === 'push')).toBe(false)
  })
})
