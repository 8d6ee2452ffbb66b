import { promises as fs } from 'node:fs'
import { Docker } from './docker.js'
import type { Logger } from './log.js'
import type { CleanupState } from './pipeline.js'
import { removeBuilder } from './build/builder.js'
import { removeDockerConfig } from './push/login.js'
import { removeContainer, removeNetwork } from './smoke/index.js'

/** Undoes what a run left behind. Safe to call twice; never throws. */
export async function cleanup(state: CleanupState, log: Logger): Promise<void> {
  const docker = new Docker(log)
  for (const name of state.containers) {
    await removeContainer(docker, name).catch((e: Error) =>
      log.warning(`could not remove container ${name}: ${e.message}`)
    )
  }
  for (const name of state.networks ?? []) {
    await removeNetwork(docker, name).catch((e: Error) =>
      log.warning(`could not remove network ${name}: ${e.message}`)
    )
  }
  if (state.builder) {
    await removeBuilder(docker, state.builder).catch((e: Error) =>
      log.warning(`could not remove builder: ${e.message}`)
    )
  }
  for (const dir of state.dirs ?? []) {
    await fs
      .rm(dir, { recursive: true, force: true })
      .catch((e: Error) => log.warning(`could not remove ${dir}: ${e.message}`))
  }
  if (state.dockerConfig) {
    await removeDockerConfig(state.dockerConfig).catch((e: Error) =>
      log.warning(`could not remove the temporary Docker config: ${e.message}`)
    )
  }
}
