/** Everything one `docker buildx build` needs, decided before any side effect. */
export interface BuildPlan {
  builder: string
  context: string
  file: string
  /** Tags applied to the image loaded into the local daemon (the tested image). */
  tags: string[]
  labels: Record<string, string>
  buildArgs: Record<string, string>
  /** Build secret ids; each value is handed over in the env var `secretEnvName(id)`. */
  secretIds: string[]
  target: string
  platform: string
  cacheFrom: string[]
  cacheTo: string[]
  iidFile: string
  metadataFile: string
}

export function secretEnvName(id: string): string {
  return `ML_DOCKER_SECRET_${id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`
}

/** The inputs that decide which steps run, shared by the build and the cache export. */
function commonArgv(plan: BuildPlan): string[] {
  const argv = ['buildx', 'build', '--builder', plan.builder, '--progress', 'plain']
  argv.push('--file', plan.file)
  for (const [k, v] of Object.entries(plan.buildArgs)) argv.push('--build-arg', `${k}=${v}`)
  for (const id of plan.secretIds) argv.push('--secret', `id=${id},env=${secretEnvName(id)}`)
  if (plan.target) argv.push('--target', plan.target)
  if (plan.platform) argv.push('--platform', plan.platform)
  return argv
}

/**
 * The argv after `docker`. Pure, so each flag is unit-tested. The build only reads the registry
 * cache: writing it is a registry write, which waits until every gate passed (`cacheExportArgv`).
 */
export function buildArgv(plan: BuildPlan): string[] {
  const argv = commonArgv(plan)
  for (const tag of plan.tags) argv.push('--tag', tag)
  for (const [k, v] of Object.entries(plan.labels)) argv.push('--label', `${k}=${v}`)
  for (const c of plan.cacheFrom) argv.push('--cache-from', c)
  // The image goes into the local daemon: that exact image is smoke-tested, scanned and pushed.
  // Attestations would turn the result into an index the docker exporter cannot load.
  argv.push('--load', '--provenance=false', '--sbom=false')
  argv.push('--iidfile', plan.iidFile, '--metadata-file', plan.metadataFile)
  argv.push(plan.context)
  return argv
}

/**
 * Re-runs the same build on the same builder (every step is a local cache hit) only to export
 * the cache to the registry, once the image has passed every gate and been pushed.
 */
export function cacheExportArgv(plan: BuildPlan): string[] {
  const argv = commonArgv(plan)
  for (const c of plan.cacheTo) argv.push('--cache-to', c)
  argv.push('--output', 'type=cacheonly', '--provenance=false', '--sbom=false')
  argv.push(plan.context)
  return argv
}

/** Counts BuildKit steps reported as cache hits in `--progress plain` output. */
export function cachedSteps(output: string): string[] {
  const names = new Map<string, string>()
  const cached: string[] = []
  for (const line of output.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line.trim())
    if (!m) continue
    const [, id, rest] = m
    if (rest === 'CACHED') {
      cached.push(names.get(id) ?? `#${id}`)
    } else if (!names.has(id) && rest.startsWith('[')) {
      names.set(id, rest)
    }
  }
  return cached
}
