import type { Config } from '../config.js'
import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { UserError } from '../errors.js'
import type { BuilderPlan, EngineFacts } from '../plan.js'
import { daemonPlatform } from './platforms.js'

/** What the planning step needs to know about the daemon and the named builder. */
export async function engineFacts(
  cfg: Pick<Config, 'builder'>,
  docker: Docker
): Promise<EngineFacts> {
  const version = await docker.run(['buildx', 'version'], { quiet: true }).catch(() => undefined)
  if (!version || version.code !== 0) {
    throw new UserError(
      'docker buildx is not installed. Install the buildx CLI plugin (Docker Desktop and GitHub-hosted ' +
        'runners have it; on Debian: the docker-buildx package or a buildx release in /usr/local/lib/docker/cli-plugins).'
    )
  }
  const info = await docker.check(['info', '--format', '{{json .}}'], { quiet: true })
  const parsed = JSON.parse(info.stdout) as {
    ServerVersion?: string
    DriverStatus?: [string, string][]
    OSType?: string
    Architecture?: string
  }
  const containerd = (parsed.DriverStatus ?? []).some(
    ([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1'
  )
  const ctx = await docker.run(['context', 'show'], { quiet: true })
  const facts: EngineFacts = {
    store: containerd ? 'containerd' : 'classic',
    version: parsed.ServerVersion ?? 'unknown',
    context: ctx.code === 0 ? ctx.stdout.trim() || 'default' : 'default',
    ...(parsed.Architecture
      ? { platform: daemonPlatform(parsed.OSType ?? 'linux', parsed.Architecture) }
      : {})
  }
  if (cfg.builder) {
    const res = await docker.run(['buildx', 'inspect', '--bootstrap', cfg.builder])
    if (res.code !== 0) {
      throw new UserError(
        `Builder "${cfg.builder}" (input "builder") is not usable: ${lastLines(res.output, 5)}`
      )
    }
    facts.namedBuilderDriver = /Driver:\s*(\S+)/.exec(res.stdout)?.[1] ?? 'unknown'
    facts.namedBuilderNodes = builderNodes(res.stdout)
  }
  return facts
}

/** The number of nodes `docker buildx inspect` lists (one `Name:` line per node below `Nodes:`). */
export function builderNodes(inspect: string): number {
  const nodes = inspect.split(/^Nodes:\s*$/m)[1] ?? ''
  return nodes.split('\n').filter((l) => /^Name:\s/.test(l)).length
}

/** Creates the builder the plan asks for (when it is ours to create) and starts it. */
export async function prepareBuilder(
  plan: BuilderPlan,
  cfg: Pick<Config, 'buildkitEndpoint' | 'buildkitImage' | 'buildkitdConfig'>,
  docker: Docker
): Promise<void> {
  if (plan.mode === 'use') return
  const res = await docker.run(createBuilderArgv(cfg, plan.name))
  if (res.code !== 0) {
    throw new UserError(
      `Could not create a ${plan.driver} buildx builder: ${lastLines(res.output, 5)}`
    )
  }
  const boot = await docker.run(['buildx', 'inspect', '--bootstrap', plan.name], { stream: true })
  if (boot.code !== 0) {
    await docker.run(['buildx', 'rm', plan.name], { quiet: true })
    throw new UserError(
      `The ${plan.driver} builder did not start: ${lastLines(boot.output, 5)}` +
        (cfg.buildkitEndpoint ? ` (is BuildKit listening on ${cfg.buildkitEndpoint}?)` : '')
    )
  }
}

/** `docker buildx create ...` for the builder this run owns. Pure; unit-tested. */
export function createBuilderArgv(
  cfg: Pick<Config, 'buildkitEndpoint' | 'buildkitImage' | 'buildkitdConfig'>,
  name: string
): string[] {
  const driver = cfg.buildkitEndpoint ? 'remote' : 'docker-container'
  const create = ['buildx', 'create', '--name', name, '--driver', driver]
  if (driver === 'docker-container') {
    // Host networking: the builder reaches what the runner reaches (registries on loopback too).
    create.push('--driver-opt', 'network=host')
    if (cfg.buildkitImage) create.push('--driver-opt', `image=${cfg.buildkitImage}`)
    if (cfg.buildkitdConfig) create.push('--buildkitd-config', cfg.buildkitdConfig)
  } else {
    create.push(cfg.buildkitEndpoint)
  }
  return create
}

export async function removeBuilder(docker: Docker, name: string): Promise<void> {
  await docker.run(['buildx', 'rm', name], { quiet: true })
}
