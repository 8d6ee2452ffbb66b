import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { existsSync } from 'node:fs'
import type { Docker } from '../docker.js'
import { lastLines, userDockerConfig } from '../docker.js'
import { UserError } from '../errors.js'

/**
 * Logs in inside a fresh DOCKER_CONFIG so the credential never lands in the user's own config
 * and is gone when the post step deletes the directory.
 */
export async function createDockerConfig(): Promise<string> {
  const dir = await fs.mkdtemp(
    path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'ml-docker-config-')
  )
  await fs.chmod(dir, 0o700)
  await fs.writeFile(path.join(dir, 'config.json'), '{}\n', { mode: 0o600 })
  // CLI plugins (buildx) installed per user are looked up in the config directory.
  const plugins = path.join(userDockerConfig(), 'cli-plugins')
  if (existsSync(plugins)) await fs.symlink(plugins, path.join(dir, 'cli-plugins'))
  return dir
}

/**
 * `docker login` with the password on stdin. `source` names where the credential came from (an
 * input, a `registry-auth` line), so a failure says what to change.
 */
export async function login(
  docker: Docker,
  registry: string,
  username: string,
  password: string,
  source = 'the "username" and "password" inputs'
): Promise<void> {
  docker.log.secret(password)
  const res = await docker.run(['login', registry, '--username', username, '--password-stdin'], {
    input: password
  })
  if (res.code !== 0) {
    const why = lastLines(docker.log.redact(res.output), 3)
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\.$/, '')
    throw new UserError(
      `Login to ${registry} as ${username} failed: ${why}. ` +
        `Check ${source} (a Docker Hub access token works as the password).`
    )
  }
}

export async function removeDockerConfig(dir: string): Promise<void> {
  if (!path.basename(dir).startsWith('ml-docker-config-')) return
  await fs.rm(dir, { recursive: true, force: true })
}
