import { execFile } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { userDockerConfig } from '../docker.js'
import type { Credentials } from './client.js'

/** The keys Docker clients use for a registry host in config.json. */
function configKeys(registry: string): string[] {
  if (registry === 'docker.io') {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']
  }
  return [registry, `https://${registry}`, `http://${registry}`]
}

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >
  credsStore?: string
  credHelpers?: Record<string, string>
}

function helperGet(helper: string, server: string): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { timeout: 10_000 },
      (err, stdout) => {
        if (err) return resolve(undefined)
        try {
          const r = JSON.parse(stdout) as { Username?: string; Secret?: string }
          resolve(r.Username && r.Secret ? { username: r.Username, password: r.Secret } : undefined)
        } catch {
          resolve(undefined)
        }
      }
    )
    child.stdin?.end(server)
  })
}

/**
 * Credentials for `registry` from a Docker client configuration (the user's, when the run did not
 * log in itself: e.g. after docker/login-action), including credential helpers.
 */
export async function credentialsFromDockerConfig(
  registry: string,
  dir: string = userDockerConfig()
): Promise<Credentials | undefined> {
  let cfg: DockerConfigFile
  try {
    cfg = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as DockerConfigFile
  } catch {
    return undefined
  }
  const keys = configKeys(registry)
  for (const key of keys) {
    const helper = cfg.credHelpers?.[key]
    if (helper) return helperGet(helper, key)
  }
  for (const key of keys) {
    const entry = cfg.auths?.[key]
    if (!entry) continue
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon > 0)
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
    }
    if (entry.username && entry.password)
      return { username: entry.username, password: entry.password }
  }
  if (cfg.credsStore) return helperGet(cfg.credsStore, keys[0])
  return undefined
}
