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

export function trivyDownloadUrl(version: string, plat: string): string {
  return `https://github.com/aquasecurity/trivy/releases/download/v${version}/trivy_${version}_${plat}.tar.gz`
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

async function versionOf(log: Logger, bin: string): Promise<string | undefined> {
  try {
    const res = await run(log, bin, ['--version'], { quiet: true })
    return res.code === 0 ? parseTrivyVersion(res.stdout) : undefined
  } catch {
    return undefined
  }
}

export interface InstallOptions {
  version: string
  /** Overrides for tests: where to download from, and which hashes to trust. */
  url?: string
  sha256?: Record<string, Record<string, string>>
  pathBin?: string
}

/** Returns the path of a Trivy binary of exactly `version`. */
export async function resolveTrivy(log: Logger, opts: InstallOptions): Promise<string> {
  const onPath = opts.pathBin ?? 'trivy'
  const found = await versionOf(log, onPath)
  if (found === opts.version) return onPath
  if (found)
    log.info(`trivy on PATH is ${found}, not ${opts.version}; using a pinned ${opts.version}`)

  const cached = tc.find('trivy', opts.version)
  if (cached) return path.join(cached, 'trivy')

  const plat = trivyPlatform()
  const expected = (opts.sha256 ?? TRIVY_SHA256)[opts.version]?.[plat]
  if (!expected) {
    throw new UserError(
      `No pinned checksum for Trivy ${opts.version} on ${plat}. Use a version this action pins ` +
        `(${Object.keys(opts.sha256 ?? TRIVY_SHA256).join(', ')}), or put trivy ${opts.version} on PATH.`
    )
  }
  const url = opts.url ?? trivyDownloadUrl(opts.version, plat)
  log.info(`downloading Trivy ${opts.version} (${plat})`)
  const archive = await tc.downloadTool(url)
  const actual = await sha256File(archive)
  if (actual !== expected) {
    await fs.rm(archive, { force: true })
    throw new Error(
      `Trivy archive checksum mismatch for ${url}: expected ${expected}, got ${actual}. Refusing to run it.`
    )
  }
  const dir = await tc.extractTar(archive)
  const cachedDir = await tc.cacheDir(dir, 'trivy', opts.version)
  const bin = path.join(cachedDir, 'trivy')
  const v = await versionOf(log, bin)
  if (v !== opts.version)
    throw new Error(
      `The downloaded Trivy reports version ${v ?? 'unknown'}, expected ${opts.version}`
    )
  return bin
}
