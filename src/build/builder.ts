import type { Config } from '../config.js'
import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { UserError } from '../errors.js'

export interface BuilderChoice {
  name: string
  /** True when this run created the builder, so the post step removes it. */
  created: boolean
  driver: string
}

/**
 * Finds or creates the buildx builder. The docker driver cannot export a registry cache, so by
 * default a builder of our own is created (remote when a BuildKit endpoint is given).
 */
export async function ensureBuilder(
  cfg: Config,
  docker: Docker,
  runId: string
): Promise<BuilderChoice> {
  const version = await docker.run(['buildx', 'version'], { quiet: true }).catch(() => undefined)
  if (!version || version.code !== 0) {
    throw new UserError(
      'docker buildx is not installed. Install the buildx CLI plugin (Docker Desktop and GitHub-hosted ' +
        'runners have it; on Debian: the docker-buildx package or a buildx release in /usr/local/lib/docker/cli-plugins).'
    )
  }
  if (cfg.builder) {
    const res = await docker.run(['buildx', 'inspect', '--bootstrap', cfg.builder])
    if (res.code !== 0) {
      throw new UserError(
        `Builder "${cfg.builder}" (input "builder") is not usable: ${lastLines(res.output, 5)}`
      )
    }
    return {
      name: cfg.builder,
      created: false,
      driver: /Driver:\s*(\S+)/.exec(res.stdout)?.[1] ?? 'unknown'
    }
  }
  const name = `ml-docker-${runId}`
  const create = createBuilderArgv(cfg, name)
  const driver = create[create.indexOf('--driver') + 1]
  const res = await docker.run(create)
  if (res.code !== 0) {
    throw new UserError(`Could not create a ${driver} buildx builder: ${lastLines(res.output, 5)}`)
  }
  const boot = await docker.run(['buildx', 'inspect', '--bootstrap', name], { stream: true })
  if (boot.code !== 0) {
    await docker.run(['buildx', 'rm', name], { quiet: true })
    throw new UserError(
      `The ${driver} builder did not start: ${lastLines(boot.output, 5)}` +
        (cfg.buildkitEndpoint ? ` (is BuildKit listening on ${cfg.buildkitEndpoint}?)` : '')
    )
  }
  return { name, created: true, driver }
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
