/** Everything one `docker buildx build` needs, decided before any side effect. */
export interface BuildPlan {
  builder: string
  context: string
  file: string
  /** Names of the image in the local daemon (the tested image). */
  tags: string[]
  labels: Record<string, string>
  buildArgs: Record<string, string>
  /** Build secret ids; each value is handed over in the env var `secretEnvName(id)`. */
  secretIds: string[]
  target: string
  /** `--platform`: one platform, or several (comma-separated) for one multi-platform index. */
  platform: string
  /** Of a multi-platform build: the platform that reaches the daemon and is smoke-tested. */
  nativePlatform?: string
  /**
   * No `type=docker` output: the builder's docker exporter refuses an index (every driver but the
   * docker driver on the containerd store), so the native platform is loaded from the layout.
   */
  loadFromLayout?: boolean
  /**
   * A builder with one node per platform: one `buildx build` per platform (buildx routes each to
   * its node), joined into one index afterwards (see nodes.ts).
   */
  perPlatformBuilds?: boolean
  cacheFrom: string[]
  cacheTo: string[]
  /** Exporter annotation options (`annotation-manifest.key=value`), applied to both outputs. */
  annotations: string[]
  /** Where BuildKit writes the OCI layout that is scanned and pushed. */
  layoutDir: string
  metadataFile: string
}

export function secretEnvName(id: string): string {
  return `ML_DOCKER_SECRET_${id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`
}

/** One CSV field of an `--output`/`--cache-to` value, quoted when it holds a comma or a quote. */
export function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The argv after `docker`. Pure, so each flag is unit-tested. One build writes its result as an
 * OCI layout (scan, push) and, with the daemon's own BuildKit, also straight into the daemon's
 * containerd store (`type=docker`, the same manifest: OCI media types on both). With any other
 * builder (`loadFromLayout`) only the layout is written and the tested image is loaded into the
 * daemon from it, beside the scan: a `type=docker` output would stream the whole image through
 * buildx a second time, and refuses manifest lists. The registry cache, when the run pushes, is
 * exported by this same build.
 */
export function buildArgv(plan: BuildPlan): string[] {
  const argv = ['buildx', 'build', '--builder', plan.builder, '--progress', 'plain']
  argv.push('--file', plan.file)
  for (const [k, v] of Object.entries(plan.buildArgs)) argv.push('--build-arg', `${k}=${v}`)
  for (const id of plan.secretIds) argv.push('--secret', `id=${id},env=${secretEnvName(id)}`)
  if (plan.target) argv.push('--target', plan.target)
  if (plan.platform) argv.push('--platform', plan.platform)
  for (const [k, v] of Object.entries(plan.labels)) argv.push('--label', `${k}=${v}`)
  for (const c of plan.cacheFrom) argv.push('--cache-from', c)
  for (const c of plan.cacheTo) argv.push('--cache-to', c)
  const common = ['oci-mediatypes=true', ...plan.annotations].map(csvField)
  if (!plan.loadFromLayout) {
    argv.push(
      '--output',
      ['type=docker', csvField(`name=${plan.tags.join(',')}`), ...common].join(',')
    )
  }
  argv.push(
    '--output',
    ['type=oci', csvField(`dest=${plan.layoutDir}`), 'tar=false', ...common].join(',')
  )
  // Attestations would turn the result into an index; they are attached after the gates instead.
  argv.push('--provenance=false', '--sbom=false')
  argv.push('--metadata-file', plan.metadataFile)
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
