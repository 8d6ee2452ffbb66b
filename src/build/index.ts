import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Docker } from '../docker.js'
import { lastLines } from '../docker.js'
import { buildArgv, cacheExportArgv, cachedSteps, secretEnvName, type BuildPlan } from './args.js'

export interface BuildResult {
  imageId: string
  /** Names of the steps BuildKit reported as CACHED. */
  cached: string[]
  output: string
  seconds: number
}

export class BuildError extends Error {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(message)
    this.name = 'BuildError'
  }
}

function secretEnv(plan: BuildPlan, secrets: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const id of plan.secretIds) env[secretEnvName(id)] = secrets[id]
  return env
}

export async function build(
  plan: BuildPlan,
  secrets: Record<string, string>,
  docker: Docker
): Promise<BuildResult> {
  await fs.mkdir(path.dirname(plan.iidFile), { recursive: true })
  await fs.rm(plan.iidFile, { force: true })
  const env = secretEnv(plan, secrets)
  const started = Date.now()
  const res = await docker.run(buildArgv(plan), { stream: true, env })
  const seconds = (Date.now() - started) / 1000
  if (res.code !== 0) {
    throw new BuildError(
      `The build failed (exit ${res.code}):\n${lastLines(res.output, 15)}`,
      res.output
    )
  }
  const imageId = (await fs.readFile(plan.iidFile, 'utf8')).trim()
  if (!/^sha256:[a-f0-9]{64}$/.test(imageId)) {
    throw new BuildError(`The build wrote no usable image id (${imageId || 'empty'})`, res.output)
  }
  return { imageId, cached: cachedSteps(res.output), output: res.output, seconds }
}

/** Writes the registry cache; returns how long it took. */
export async function exportCache(
  plan: BuildPlan,
  secrets: Record<string, string>,
  docker: Docker
): Promise<number> {
  const started = Date.now()
  const res = await docker.run(cacheExportArgv(plan), {
    stream: true,
    env: secretEnv(plan, secrets)
  })
  if (res.code !== 0)
    throw new BuildError(
      `cache export failed (exit ${res.code}): ${lastLines(res.output, 5)}`,
      res.output
    )
  return (Date.now() - started) / 1000
}
