import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tc from '@actions/tool-cache'
import { UserError } from '../errors.js'
import { run } from '../exec.js'
import type { Logger } from '../log.js'

/**
 * sha256 of the release archives we accept, per version and platform. A version missing here is
 * refused rather than trusted: a release channel has shipped a malicious Trivy before, and the
 * checksums file of a release only proves the download matches that same release.
 */
export const TRIVY_SHA256: Record<string, Record<string, string>> = {
  '0.74.0': {
    'Linux-64bit': '2ae6fe3ee734b7fdf11335663e18c75ea12dccc76062f09f164a3b0f8be4371a',
    'Linux-ARM64': 'b94ce1976bbf3c15b514b605ee88be7c6d94a29be2302847ff01cb794d47aad5'
  }
}

export function trivyPlatform(platform = os.platform(), arch = os.arch()): string {
  const o = platform === 'linux' ? 'Linux' : platform === 'darwin' ? 'macOS' : platform
  const a = arch === 'x64' ? '64bit' : arch === 'arm64' ? 'ARM64' : arch
  return `${o}-${a}`
}

export const DEFAULT_DOWNLOAD_URL =
  'https://github.com/aquasecurity/trivy/releases/download/v{version}/trivy_{version}_{platform}.tar.gz'

/** The archive URL from a template with `{version}` and `{platform}`. */
export function trivyDownloadUrl(
  version: string,
  plat: string,
  template = DEFAULT_DOWNLOAD_URL
): string {
  return template.replace(/\{version\}/g, version).replace(/\{platform\}/g, plat)
}

/**
 * Where the CLI keeps tools it installed when there is no runner tool cache: a per-user directory,
 * so a laptop or another CI system downloads each pinned version once.
 */
export function userToolDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ML_DOCKER_TOOL_DIR) return env.ML_DOCKER_TOOL_DIR
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache')
  return path.join(base, 'ml-docker', 'tools')
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Parses `Version: 0.74.0` from `trivy --version`. */
export function parseTrivyVersion(output: string): string | undefined {
  return /Version:\s*v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1]
}

/** Runs `trivy --version` with nothing of this process's environment but PATH and HOME. */
async function versionOf(log: Logger, bin: string): Promise<string | undefined> {
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
    const res = await run(log, bin, ['--version'], { quiet: true, exactEnv: env })
    return res.code === 0 ? parseTrivyVersion(res.stdout) : undefined
  } catch {
    return undefined
  }
}

export interface InstallOptions {
  version: string
  /** A download URL template (trivy-download-url); empty means the GitHub release. */
  url?: string
  /** A user-supplied sha256 (trivy-sha256): replaces the pinned one for this version. */
  userSha256?: string
  /** The pinned table (tests pass their own). */
  sha256?: Record<string, Record<string, string>>
  pathBin?: string
  env?: NodeJS.ProcessEnv
}

/** Returns the path of a Trivy binary of exactly `version`. */
export async function resolveTrivy(log: Logger, opts: InstallOptions): Promise<string> {
  const onPath = opts.pathBin ?? 'trivy'
  const found = await versionOf(log, onPath)
  if (found === opts.version) return onPath
  if (found)
    log.info(`trivy on PATH is ${found}, not ${opts.version}; using a pinned ${opts.version}`)

  const env = opts.env ?? process.env
  const plat = trivyPlatform()
  const pinned = (opts.sha256 ?? TRIVY_SHA256)[opts.version]?.[plat]
  const expected = opts.userSha256 || pinned
  if (!expected) {
    throw new UserError(
      `No pinned checksum for Trivy ${opts.version} on ${plat}. Use a version this action pins ` +
        `(${Object.keys(opts.sha256 ?? TRIVY_SHA256).join(', ')}), put trivy ${opts.version} on PATH, ` +
        'or set trivy-sha256 to the checksum of its release archive.'
    )
  }
  if (opts.userSha256 && pinned && opts.userSha256 !== pinned) {
    log.warning(
      `trivy-sha256 differs from the checksum this action pins for Trivy ${opts.version}: accepting only an archive that matches trivy-sha256`
    )
  }
  // The runner's tool cache in GitHub Actions; a per-user directory everywhere else.
  const runnerCache = !!env.RUNNER_TOOL_CACHE
  // The checksum is part of the location, so an archive accepted under another checksum is never reused.
  const userDir = path.join(
    userToolDir(env),
    'trivy',
    opts.version,
    `${plat}-${expected.slice(0, 12)}`
  )
  if (runnerCache) {
    const cached = tc.find('trivy', opts.version)
    if (cached && (await versionOf(log, path.join(cached, 'trivy'))) === opts.version)
      return path.join(cached, 'trivy')
  } else if ((await versionOf(log, path.join(userDir, 'trivy'))) === opts.version) {
    return path.join(userDir, 'trivy')
  }

  const url = trivyDownloadUrl(opts.version, plat, opts.url || DEFAULT_DOWNLOAD_URL)
  log.info(`downloading Trivy ${opts.version} (${plat}) from ${url}`)
  if (!runnerCache) await fs.mkdir(path.dirname(userDir), { recursive: true })
  const scratch = runnerCache
    ? undefined
    : await fs.mkdtemp(path.join(path.dirname(userDir), `.install-${plat}-`))
  try {
    const archive = await tc.downloadTool(
      url,
      scratch ? path.join(scratch, 'trivy.tar.gz') : undefined
    )
    const actual = await sha256File(archive)
    if (actual !== expected) {
      await fs.rm(archive, { force: true })
      throw new Error(
        `Trivy archive checksum mismatch for ${url}: expected ${expected}, got ${actual}. Refusing to run it.`
      )
    }
    const dir = await tc.extractTar(archive, scratch ? path.join(scratch, 'x') : undefined)
    const v = await versionOf(log, path.join(dir, 'trivy'))
    if (v !== opts.version)
      throw new Error(
        `The downloaded Trivy reports version ${v ?? 'unknown'}, expected ${opts.version}`
      )
    if (runnerCache) return path.join(await tc.cacheDir(dir, 'trivy', opts.version), 'trivy')
    // Renamed into place only once verified: a half-done install is never found later.
    await fs.rm(userDir, { recursive: true, force: true })
    await fs.rename(dir, userDir)
    log.info(`installed Trivy ${opts.version} in ${userDir}`)
    return path.join(userDir, 'trivy')
  } finally {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true })
  }
}
