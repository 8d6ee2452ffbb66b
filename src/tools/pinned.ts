import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tc from '@actions/tool-cache'
import { UserError } from '../errors.js'
import { run } from '../exec.js'
import type { Logger } from '../log.js'

/**
 * Installing a tool the action runs on the user's behalf (Trivy, cosign): a binary of exactly the
 * requested version on PATH, else a release download whose sha256 must match a pinned value (or
 * the user's own), kept in the runner tool cache or a per-user directory.
 */
export interface PinnedTool {
  /** Tool cache and directory name, and the binary's file name once installed. */
  name: string
  /** For messages: `Trivy`, `cosign`. */
  label: string
  /** The input that supplies a checksum for an unpinned version (for messages). */
  sha256Input: string
  /** Arguments that print the version, and how to read it. */
  versionArgs: string[]
  parseVersion: (output: string) => string | undefined
  /** `tar.gz`: an archive holding the binary at its root; `binary`: the file itself. */
  packaging: 'tar.gz' | 'binary'
  /** This machine's release platform name (`Linux-64bit`, `linux-amd64`). */
  platform: () => string
  /** The release download URL template, with `{version}` and `{platform}`. */
  defaultUrl: string
  /** The pinned table: version → platform → sha256. */
  pins: Record<string, Record<string, string>>
}

/** What a run asks of a pinned tool (from its `<tool>-version`, `-download-url`, `-sha256` inputs). */
export interface ToolRequest {
  version: string
  /** A download URL template; empty means the tool's release URL. */
  url?: string
  /** A user-supplied sha256: replaces the pinned one for this version. */
  userSha256?: string
  /** The pinned table (tests pass their own). */
  sha256?: Record<string, Record<string, string>>
  pathBin?: string
  env?: NodeJS.ProcessEnv
}

/** The path of a binary of exactly `req.version`: on PATH, cached, or downloaded and checked. */
export function resolveTool(log: Logger, tool: PinnedTool, req: ToolRequest): Promise<string> {
  const platform = tool.platform()
  return resolvePinned(log, tool, {
    version: req.version,
    platform,
    url: expandUrl(req.url || tool.defaultUrl, req.version, platform),
    userSha256: req.userSha256,
    sha256: req.sha256 ?? tool.pins,
    pathBin: req.pathBin,
    env: req.env
  })
}

export interface InstallOptions {
  version: string
  /** The release platform name (`Linux-64bit`, `linux-amd64`). */
  platform: string
  /** The download URL, already expanded. */
  url: string
  /** A user-supplied sha256: replaces the pinned one for this version. */
  userSha256?: string
  /** The pinned table: version → platform → sha256. */
  sha256: Record<string, Record<string, string>>
  /** The binary tried first (default: the tool's name, found on PATH). */
  pathBin?: string
  env?: NodeJS.ProcessEnv
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

/** `{version}` and `{platform}` replaced in a URL template. */
export function expandUrl(template: string, version: string, platform: string): string {
  return template.replace(/\{version\}/g, version).replace(/\{platform\}/g, platform)
}

/** Runs the version command with nothing of this process's environment but PATH and HOME. */
async function versionOf(log: Logger, tool: PinnedTool, bin: string): Promise<string | undefined> {
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
    const res = await run(log, bin, tool.versionArgs, { quiet: true, exactEnv: env })
    return res.code === 0 ? tool.parseVersion(res.output) : undefined
  } catch {
    return undefined
  }
}

/** Returns the path of a binary of exactly `opts.version`. */
export async function resolvePinned(
  log: Logger,
  tool: PinnedTool,
  opts: InstallOptions
): Promise<string> {
  const onPath = opts.pathBin ?? tool.name
  const found = await versionOf(log, tool, onPath)
  if (found === opts.version) return onPath
  if (found)
    log.info(
      `${tool.name} on PATH is ${found}, not ${opts.version}; using a pinned ${opts.version}`
    )

  const env = opts.env ?? process.env
  const plat = opts.platform
  const pinned = opts.sha256[opts.version]?.[plat]
  const expected = opts.userSha256 || pinned
  if (!expected) {
    throw new UserError(
      `No pinned checksum for ${tool.label} ${opts.version} on ${plat}. Use a version this action pins ` +
        `(${Object.keys(opts.sha256).join(', ')}), put ${tool.name} ${opts.version} on PATH, ` +
        `or set ${tool.sha256Input} to the checksum of its release ${tool.packaging === 'tar.gz' ? 'archive' : 'binary'}.`
    )
  }
  if (opts.userSha256 && pinned && opts.userSha256 !== pinned) {
    log.warning(
      `${tool.sha256Input} differs from the checksum this action pins for ${tool.label} ${opts.version}: ` +
        `accepting only a download that matches ${tool.sha256Input}`
    )
  }
  // The runner's tool cache in GitHub Actions; a per-user directory everywhere else.
  const runnerCache = !!env.RUNNER_TOOL_CACHE
  // The checksum is part of the location, so a download accepted under another checksum is never reused.
  const userDir = path.join(
    userToolDir(env),
    tool.name,
    opts.version,
    `${plat}-${expected.slice(0, 12)}`
  )
  if (runnerCache) {
    const cached = tc.find(tool.name, opts.version)
    if (cached && (await versionOf(log, tool, path.join(cached, tool.name))) === opts.version)
      return path.join(cached, tool.name)
  } else if ((await versionOf(log, tool, path.join(userDir, tool.name))) === opts.version) {
    return path.join(userDir, tool.name)
  }

  const url = opts.url
  log.info(`downloading ${tool.label} ${opts.version} (${plat}) from ${url}`)
  if (!runnerCache) await fs.mkdir(path.dirname(userDir), { recursive: true })
  const scratch = runnerCache
    ? undefined
    : await fs.mkdtemp(path.join(path.dirname(userDir), `.install-${plat}-`))
  try {
    const download = await tc.downloadTool(
      url,
      scratch ? path.join(scratch, `${tool.name}.download`) : undefined
    )
    const actual = await sha256File(download)
    if (actual !== expected) {
      await fs.rm(download, { force: true })
      throw new Error(
        `${tool.label} ${tool.packaging === 'tar.gz' ? 'archive' : 'binary'} checksum mismatch for ${url}: ` +
          `expected ${expected}, got ${actual}. Refusing to run it.`
      )
    }
    let dir: string
    if (tool.packaging === 'tar.gz') {
      dir = await tc.extractTar(download, scratch ? path.join(scratch, 'x') : undefined)
    } else {
      dir = scratch
        ? path.join(scratch, 'x')
        : await fs.mkdtemp(path.join(env.RUNNER_TEMP || os.tmpdir(), `${tool.name}-`))
      await fs.mkdir(dir, { recursive: true })
      await fs.rename(download, path.join(dir, tool.name))
      await fs.chmod(path.join(dir, tool.name), 0o755)
    }
    const v = await versionOf(log, tool, path.join(dir, tool.name))
    if (v !== opts.version)
      throw new Error(
        `The downloaded ${tool.label} reports version ${v ?? 'unknown'}, expected ${opts.version}`
      )
    if (runnerCache) return path.join(await tc.cacheDir(dir, tool.name, opts.version), tool.name)
    // Renamed into place only once verified: a half-done install is never found later.
    await fs.rm(userDir, { recursive: true, force: true })
    await fs.rename(dir, userDir)
    log.info(`installed ${tool.label} ${opts.version} in ${userDir}`)
    return path.join(userDir, tool.name)
  } finally {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true })
  }
}
