import os from 'node:os'
import type { Logger } from '../log.js'
import { expandUrl, resolveTool, type PinnedTool, type ToolRequest } from '../tools/pinned.js'

export { sha256File, userToolDir } from '../tools/pinned.js'

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
  return expandUrl(template, version, plat)
}

/** Parses `Version: 0.74.0` from `trivy --version`. */
export function parseTrivyVersion(output: string): string | undefined {
  return /Version:\s*v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1]
}

const TRIVY: PinnedTool = {
  name: 'trivy',
  label: 'Trivy',
  sha256Input: 'trivy-sha256',
  versionArgs: ['--version'],
  parseVersion: parseTrivyVersion,
  packaging: 'tar.gz',
  platform: () => trivyPlatform(),
  defaultUrl: DEFAULT_DOWNLOAD_URL,
  pins: TRIVY_SHA256
}

/** Returns the path of a Trivy binary of exactly `version`. */
export function resolveTrivy(log: Logger, req: ToolRequest): Promise<string> {
  return resolveTool(log, TRIVY, req)
}
