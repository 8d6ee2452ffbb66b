import os from 'node:os'
import path from 'node:path'
import { UserError } from './errors.js'
import { run, spawnStream, type RunOptions, type RunResult, type Spawned } from './exec.js'
import type { Logger } from './log.js'

export interface DockerEnv {
  /** Isolated client configuration holding this run's registry login, when one was made. */
  dockerConfig?: string
}

/** The one place that runs the docker CLI. */
export class Docker {
  constructor(
    readonly log: Logger,
    public env: DockerEnv = {}
  ) {}

  private childEnv(extra?: Record<string, string | undefined>): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = { ...extra }
    if (this.env.dockerConfig) {
      env.DOCKER_CONFIG = this.env.dockerConfig
      // Builders stay where the user keeps them, whichever config holds the credentials.
      env.BUILDX_CONFIG = process.env.BUILDX_CONFIG || path.join(userDockerConfig(), 'buildx')
    }
    return env
  }

  /** The same client (environment, login) printing through another logger. */
  withLog(log: Logger): Docker {
    return new Docker(log, this.env)
  }

  run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(this.log, 'docker', args, { ...opts, env: this.childEnv(opts.env) })
  }

  /** Starts a long-lived docker command whose output is read as it arrives. */
  spawn(args: string[], opts: Pick<RunOptions, 'env' | 'quiet'> = {}): Spawned {
    return spawnStream(this.log, 'docker', args, { ...opts, env: this.childEnv(opts.env) })
  }

  /** Runs and throws with docker's own message when it fails. */
  async check(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const res = await this.run(args, opts)
    if (res.code !== 0) {
      throw new Error(
        `docker ${args[0]} failed (exit ${res.code}): ${this.log.redact(lastLines(res.output, 20))}`
      )
    }
    return res
  }

  async available(): Promise<void> {
    const res = await this.run(['version', '--format', '{{.Server.Version}}'], {
      quiet: true
    }).catch((e: Error) => ({ code: 127, output: e.message }) as RunResult)
    if (res.code !== 0) {
      throw new UserError(
        `The Docker daemon is not reachable: ${lastLines(res.output, 3)}. Start dockerd (or set DOCKER_HOST).`
      )
    }
  }

  async imageId(ref: string): Promise<string | undefined> {
    const res = await this.run(['image', 'inspect', '--format', '{{.Id}}', ref], { quiet: true })
    return res.code === 0 ? res.stdout.trim() : undefined
  }
}

/** The Docker client configuration directory the user had before this run. */
export function userDockerConfig(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker')
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n')
}
