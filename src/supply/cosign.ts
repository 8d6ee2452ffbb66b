import os from 'node:os'
import { lastLines } from '../docker.js'
import { run, type RunResult } from '../exec.js'
import type { Logger } from '../log.js'
import { resolveTool, type PinnedTool, type ToolRequest } from '../tools/pinned.js'

/**
 * sha256 of the cosign release binaries we accept (cosign_checksums.txt of each release). A
 * version missing here is refused unless the user supplies cosign-sha256.
 */
export const COSIGN_SHA256: Record<string, Record<string, string>> = {
  '2.6.5': {
    'linux-amd64': 'c3b4f5410e608af03a5eb0aaac84a4313d8da131248e08ff1759ac70c79d1644',
    'linux-arm64': '426193b4c5da4d4d643e822f48fe0cc8a476ca1782a272704831f5a0cef716d7'
  }
}

export const COSIGN_DOWNLOAD_URL =
  'https://github.com/sigstore/cosign/releases/download/v{version}/cosign-{platform}'

export function cosignPlatform(platform = os.platform(), arch = os.arch()): string {
  const a = arch === 'x64' ? 'amd64' : arch
  return `${platform}-${a}`
}

/** `GitVersion:    v2.6.5` from `cosign version`. */
export function parseCosignVersion(output: string): string | undefined {
  return /GitVersion:\s*v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1]
}

const COSIGN: PinnedTool = {
  name: 'cosign',
  label: 'cosign',
  sha256Input: 'cosign-sha256',
  versionArgs: ['version'],
  parseVersion: parseCosignVersion,
  packaging: 'binary',
  platform: () => cosignPlatform(),
  defaultUrl: COSIGN_DOWNLOAD_URL,
  pins: COSIGN_SHA256
}

/** The path of a cosign binary of exactly `version`: on PATH, cached, or downloaded and checked. */
export function resolveCosign(log: Logger, req: ToolRequest): Promise<string> {
  return resolveTool(log, COSIGN, req)
}

/** Runs cosign with the run's registry login and, for a key, its password, both via the environment. */
export class Cosign {
  constructor(
    readonly bin: string,
    private readonly log: Logger,
    private readonly env: Record<string, string>
  ) {}

  async run(args: string[]): Promise<RunResult> {
    return run(this.log, this.bin, args, { exactEnv: this.env })
  }

  /** Runs cosign and throws with its last lines when it fails. */
  async must(what: string, args: string[]): Promise<RunResult> {
    const res = await this.run(args)
    if (res.code !== 0)
      throw new Error(`cosign ${what} failed (exit ${res.code}): ${lastLines(res.output, 5)}`)
    return res
  }
}

/**
 * cosign's environment: the caller's (proxies, CA bundles, the OIDC request variables), with
 * DOCKER_CONFIG pointing at the run's own login and COSIGN_PASSWORD set only for a key.
 */
export function cosignEnv(
  base: NodeJS.ProcessEnv,
  o: { dockerConfig?: string; password?: string; key: boolean }
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith('INPUT_') || k === 'COSIGN_PASSWORD') continue
    env[k] = v
  }
  if (o.dockerConfig) env.DOCKER_CONFIG = o.dockerConfig
  if (o.key) env.COSIGN_PASSWORD = o.password ?? ''
  // No interactive prompts (the terms of the public instance are accepted with --yes).
  env.COSIGN_YES = 'true'
  return env
}
