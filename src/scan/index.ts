import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.js'
import { lastLines, type Docker } from '../docker.js'
import { run, type RunResult } from '../exec.js'
import { UserError } from '../errors.js'
import type { Logger } from '../log.js'
import { actionsCacheAvailable, restoreDbCache, saveDbCache, type DbCacheState } from './cache.js'
import { openLayerCache, restoreLayerCache, saveLayerCache } from './layer-cache.js'
import {
  ageHours,
  checkUsable,
  defaultCacheDir,
  describeRepository,
  fetchDb,
  formatAge,
  needsDownload,
  readDbMetadata,
  readDbSource,
  TRIVY_DEFAULT_REPOSITORIES,
  withSchemaTag,
  type DbInfo
} from './db.js'
import { scannerEnv } from './env.js'
import { resolveTrivy } from './install.js'
import {
  compareWithBaseline,
  countSuppressed,
  describeIgnoreFile,
  findIgnoreFile,
  groupByPackage,
  type BaselineComparison,
  type IgnoreFileInfo,
  type PackageFix,
  type Suppressed
} from './policy.js'
import { summarize, type ScanFinding, type ScanSummary, type TrivyReport } from './report.js'

export type { DbInfo } from './db.js'

/** What to scan. The pipeline may switch the source (an archive, containerd) without touching the policy. */
export interface ScanTarget {
  /** The image reference; also names the SARIF category. */
  image: string
  /** A `docker save` or OCI-layout archive to scan instead of resolving `image` (trivy --input). */
  input?: string
  /** trivy --image-src when no archive is given; default `docker`. */
  imageSrc?: string
  /** The baseline when scan-baseline is empty: the image published under the first computed tag. */
  defaultBaseline?: string
}

export interface ScanDeps {
  log: Logger
  /** Where the reports are written. */
  outDir: string
  /** The run's docker client: its DOCKER_CONFIG holds the run's login, used to read a baseline image. */
  docker?: Docker
  env?: NodeJS.ProcessEnv
  /** Searched in order for a default ignore file: the context, then the workspace. */
  ignoreDirs?: string[]
  now?: () => Date
  /** First pause between tries of a DB repository that answered 429/5xx (tests shorten it). */
  backoffMs?: number
}

export interface BaselineResult {
  /** The image reference or report path compared with. */
  ref: string
  origin: 'input' | 'default'
  /** False when the baseline image or report does not exist: scan-fail-on new then acts as all. */
  found: boolean
  /** Why it was not found or could not be read. */
  note?: string
  /** Counts over every finding (not only the gated severities). */
  newCount: number
  fixedCount: number
  unchangedCount: number
  comparison?: BaselineComparison
}

export interface ScanResult extends ScanSummary {
  passed: boolean
  reportPath: string
  sarifPath: string
  sbomPath: string
  trivy: string
  seconds: number
  image: string
  db: DbInfo
  cacheDir: string
  /** Actions cache keys saved in this run. */
  cacheSaved: string[]
  /** Trivy's per-layer analysis cache: bytes carried over from earlier runs, bytes saved for the next. */
  layerCache?: { carriedBytes: number; savedBytes: number }
  ignoreFile?: IgnoreFileInfo
  vex: string[]
  suppressed: Suppressed
  failOn: 'all' | 'new'
  baseline?: BaselineResult
  /** Vulnerabilities grouped by package, with the version that fixes them. */
  packages: PackageFix[]
}

/** Flags shared by every trivy run of a scan. */
function commonFlags(cacheDir: string): string[] {
  return [
    '--cache-dir',
    cacheDir,
    '--skip-version-check',
    '--disable-telemetry',
    '--no-progress',
    '--skip-check-update'
  ]
}

export interface ArgvOptions {
  cacheDir: string
  reportPath: string
  ignoreFile?: string
  vex?: string[]
  skipJavaDbUpdate?: boolean
  listAllPackages?: boolean
}

/** The argv after `trivy` for the analysis. The DB policy already ran, so the DB is never updated here. */
export function trivyArgv(target: ScanTarget, o: ArgvOptions): string[] {
  const argv = ['image', '--format', 'json', '--output', o.reportPath]
  // The fs backend keeps each layer's analysis in the cache dir (see layer-cache.ts).
  argv.push(...commonFlags(o.cacheDir), '--cache-backend', 'fs', '--timeout', '15m')
  argv.push('--scanners', 'vuln,secret', '--skip-db-update', '--show-suppressed')
  if (o.skipJavaDbUpdate) argv.push('--skip-java-db-update')
  // Every package, so the SBOM can be converted from this one report.
  argv.push(`--list-all-pkgs=${o.listAllPackages === false ? 'false' : 'true'}`)
  if (o.ignoreFile) argv.push('--ignorefile', o.ignoreFile)
  for (const v of o.vex ?? []) argv.push('--vex', v)
  if (target.input) argv.push('--input', target.input)
  else argv.push('--image-src', target.imageSrc ?? 'docker', target.image)
  return argv
}

/** The argv of one DB download; '' means Trivy's default repositories. */
export function downloadArgv(repository: string, cacheDir: string): string[] {
  const argv = ['image', '--download-db-only', ...commonFlags(cacheDir)]
  if (repository !== TRIVY_DEFAULT_REPOSITORIES) argv.push('--db-repository', repository)
  return argv
}

/** `registry/acme/app:1.2@sha256:…` → `registry/acme/app`. */
export function imageName(ref: string): string {
  const noDigest = ref.split('@')[0]
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}

/** Code scanning keeps one set of alerts per category: one per image, so images do not close each other's alerts. */
export function setSarifCategory(sarif: { runs?: Record<string, unknown>[] }, image: string): void {
  for (const r of sarif.runs ?? [])
    r.automationDetails = { id: `ml-docker/scan/${imageName(image)}/` }
}

interface Ctx {
  cfg: Config['scan']
  deps: ScanDeps
  log: Logger
  trivy: string
  env: Record<string, string>
  cacheDir: string
  now: Date
}

async function trivyRun(
  c: Ctx,
  args: string[],
  opts: { stream?: boolean; quiet?: boolean } = {}
): Promise<RunResult> {
  return run(c.log, c.trivy, args, { ...opts, exactEnv: c.env, cwd: c.deps.outDir })
}

/** Makes sure a DB the policy accepts is in the cache dir, and says where it came from. */
async function ensureDb(c: Ctx, restoredKey?: string): Promise<DbInfo> {
  const { cfg, log, now } = c
  const meta = await readDbMetadata(c.cacheDir)
  const info = async (
    source: DbInfo['source'],
    failures: DbInfo['failures'] = []
  ): Promise<DbInfo> => {
    const m = await readDbMetadata(c.cacheDir)
    return {
      source,
      repository: await readDbSource(c.cacheDir),
      updatedAt: m?.updatedAt?.toISOString(),
      ageHours: ageHours(m, now),
      restoredKey,
      failures
    }
  }
  if (cfg.skipDbUpdate) {
    checkUsable(meta, now, cfg.dbMaxAgeHours, 'scan-skip-db-update is set')
    return info('offline')
  }
  if (!needsDownload(meta, now)) return info('cached')
  const repositories = cfg.dbRepository.length
    ? cfg.dbRepository.map(withSchemaTag)
    : [TRIVY_DEFAULT_REPOSITORIES]
  const fetched = await fetchDb({
    repositories,
    cacheDir: c.cacheDir,
    log,
    backoffMs: c.deps.backoffMs,
    download: async (repo, dir) => {
      const res = await trivyRun(c, downloadArgv(repo, dir), { quiet: false })
      return { code: res.code, output: res.output }
    }
  })
  if (fetched.repository !== undefined) {
    log.info(`vulnerability DB downloaded from ${describeRepository(fetched.repository)}`)
    return info('downloaded', fetched.failures)
  }
  const tried = repositories.map(describeRepository).join(', ')
  const age = checkUsable(
    meta,
    now,
    cfg.dbMaxAgeHours,
    `Every vulnerability DB repository failed (${tried})`
  )
  log.warning(
    `Every vulnerability DB repository failed (${tried}); scanning with the cached DB built ${formatAge(age)} ago. ` +
      'Findings published since then are not reported.'
  )
  return info('stale', fetched.failures)
}

async function readReport(file: string): Promise<TrivyReport> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as TrivyReport
}

/** Reads the baseline's findings: a Trivy JSON report, or the image through the registry. */
async function baselineFindings(
  c: Ctx,
  ref: string,
  analysis: Omit<ArgvOptions, 'reportPath'>
): Promise<{ findings?: ScanFinding[]; note?: string }> {
  const { cfg, log } = c
  if (/\.json$/i.test(ref) && !ref.includes('@')) {
    if (!existsSync(ref)) return { note: `${ref} does not exist` }
    const report = await readReport(ref)
    return { findings: summarize(report, cfg.severities, cfg.ignoreUnfixed).findings }
  }
  const docker = c.deps.docker
  if (!docker) return { note: 'no Docker client to read the baseline image with' }
  // The digest the registry serves now, read with the run's login; the local tag of the same
  // name is the image just built and must not be touched.
  const inspect = await docker.run(
    ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'],
    { quiet: true }
  )
  if (inspect.code !== 0) {
    const why = lastLines(inspect.output, 1)
    return {
      note: /not found|unknown|404/i.test(why) ? `${ref} is not published` : `${ref}: ${why}`
    }
  }
  const digest = (JSON.parse(inspect.stdout) as { digest?: string }).digest
  if (!digest) return { note: `${ref}: the registry returned no digest` }
  const pinned = `${imageName(ref)}@${digest}`
  const present = (await docker.imageId(pinned)) !== undefined
  if (!present) {
    const pull = await docker.run(['pull', '--quiet', pinned], { quiet: true })
    if (pull.code !== 0) return { note: `pulling ${pinned} failed: ${lastLines(pull.output, 1)}` }
  }
  try {
    const reportPath = path.join(c.deps.outDir, 'trivy-baseline.json')
    const res = await trivyRun(
      c,
      trivyArgv({ image: pinned }, { ...analysis, reportPath, listAllPackages: false }),
      { quiet: false }
    )
    if (res.code !== 0) return { note: `scanning ${pinned} failed: ${lastLines(res.output, 1)}` }
    log.info(`baseline: ${ref} is ${digest}`)
    return {
      findings: summarize(await readReport(reportPath), cfg.severities, cfg.ignoreUnfixed).findings
    }
  } finally {
    if (!present) await docker.run(['image', 'rm', pinned], { quiet: true })
  }
}

export async function scan(
  cfg: Config['scan'],
  target: ScanTarget,
  deps: ScanDeps
): Promise<ScanResult> {
  const log = deps.log
  const srcEnv = deps.env ?? process.env
  const now = deps.now?.() ?? new Date()
  const started = Date.now()
  const trivy = await resolveTrivy(log, {
    version: cfg.trivyVersion,
    url: cfg.trivyDownloadUrl || undefined,
    userSha256: cfg.trivySha256 || undefined,
    env: srcEnv
  })
  await fs.mkdir(deps.outDir, { recursive: true })
  // An empty client configuration: Trivy's registry keychain finds no credentials.
  const dockerConfig = await fs.mkdtemp(path.join(deps.outDir, 'scanner-docker-config-'))
  const cacheDir = cfg.cacheDir || defaultCacheDir(srcEnv)
  const c: Ctx = { cfg, deps, log, trivy, env: scannerEnv(srcEnv, dockerConfig), cacheDir, now }
  try {
    return await analyse(c, target, started)
  } finally {
    await fs.rm(dockerConfig, { recursive: true, force: true })
  }
}

async function analyse(c: Ctx, target: ScanTarget, started: number): Promise<ScanResult> {
  const { deps, log, cacheDir, now } = c
  const srcEnv = deps.env ?? process.env

  let cacheStates: DbCacheState[] = []
  const actions = actionsCacheAvailable()
  if (actions) {
    cacheStates = await restoreDbCache(cacheDir, now, log)
    await restoreLayerCache(cacheDir, srcEnv, log)
  }
  const db = await ensureDb(c, cacheStates.find((s) => s.kind === 'db')?.restoredKey)
  const layers = await openLayerCache(cacheDir, deps.outDir, log)
  try {
    const result = await analyseWith(c, target, started, db, layers.dir, cacheStates)
    // Trivy's cache keys include its analyzers' versions: a new Trivy starts over.
    const analysed = (await readReport(result.reportPath)).Metadata?.DiffIDs ?? []
    result.layerCache = {
      carriedBytes: layers.carriedBytes,
      savedBytes: await layers.commit(analysed.map((d) => `${c.cfg.trivyVersion}:${d}`))
    }
    log.info(
      `layer analysis cache: ${layers.carriedBytes ? `${layers.carriedBytes} bytes carried over` : 'empty'}` +
        (result.layerCache.savedBytes
          ? `, ${result.layerCache.savedBytes} bytes saved`
          : ', unchanged')
    )
    if (actions && result.layerCache.savedBytes) await saveLayerCache(cacheDir, srcEnv, log)
    return result
  } finally {
    await layers.close()
  }
}

async function analyseWith(
  c: Ctx,
  target: ScanTarget,
  started: number,
  db: DbInfo,
  analysisCacheDir: string,
  cacheStates: DbCacheState[]
): Promise<ScanResult> {
  const { cfg, deps, log, trivy, cacheDir } = c
  const srcEnv = deps.env ?? process.env
  const now = c.now

  const workspace = srcEnv.GITHUB_WORKSPACE || process.cwd()
  const found = findIgnoreFile(cfg.ignoreFile, [...(deps.ignoreDirs ?? []), workspace])
  const ignoreFile = found
    ? describeIgnoreFile(found.path, found.origin, await fs.readFile(found.path, 'utf8'), now)
    : undefined
  if (ignoreFile) {
    log.info(`ignore file: ${ignoreFile.path} (${ignoreFile.entries} entries)`)
    for (const e of ignoreFile.expired)
      log.warning(
        `${ignoreFile.path}: the entry for ${e.id} expired on ${e.expiredAt} and no longer applies`
      )
  }
  for (const v of cfg.vex) {
    if (!existsSync(v))
      throw new UserError(`scan-vex file ${v} does not exist. Fix the path in scan-vex.`)
  }

  const reportPath = path.join(deps.outDir, 'trivy-report.json')
  const sarifPath = path.join(deps.outDir, 'trivy-report.sarif')
  const sbomPath = path.join(deps.outDir, 'sbom.cdx.json')
  const analysis = {
    cacheDir: analysisCacheDir,
    ignoreFile: ignoreFile?.path,
    vex: cfg.vex,
    skipJavaDbUpdate: cfg.skipDbUpdate
  }
  const res = await trivyRun(c, trivyArgv(target, { ...analysis, reportPath }), { stream: true })
  if (res.code !== 0) {
    throw new Error(
      `Trivy failed (exit ${res.code}); the image was not scanned:\n${lastLines(res.output, 10)}`
    )
  }
  const report = await readReport(reportPath)

  // SARIF and the SBOM come from the same analysis: no second scan of the image.
  const [sarif, sbom] = await Promise.all([
    trivyRun(c, ['convert', '--format', 'sarif', '--output', sarifPath, reportPath], {
      quiet: true
    }),
    trivyRun(c, ['convert', '--format', 'cyclonedx', '--output', sbomPath, reportPath], {
      quiet: true
    })
  ])
  if (sarif.code === 0) {
    const doc = JSON.parse(await fs.readFile(sarifPath, 'utf8')) as {
      runs?: Record<string, unknown>[]
    }
    setSarifCategory(doc, target.image)
    await fs.writeFile(sarifPath, JSON.stringify(doc, null, 2))
  } else log.warning(`trivy convert to SARIF failed: ${lastLines(sarif.output, 3)}`)
  if (sbom.code !== 0)
    log.warning(`trivy convert to CycloneDX failed: ${lastLines(sbom.output, 3)}`)

  const summary = summarize(report, cfg.severities, cfg.ignoreUnfixed)
  let failing = summary.failing
  let baseline: BaselineResult | undefined
  const baselineRef = cfg.baseline || (cfg.failOn === 'new' ? (target.defaultBaseline ?? '') : '')
  if (baselineRef) {
    const origin = cfg.baseline ? 'input' : 'default'
    const b = await baselineFindings(c, baselineRef, analysis)
    if (b.findings) {
      const comparison = compareWithBaseline(summary.findings, b.findings)
      baseline = {
        ref: baselineRef,
        origin,
        found: true,
        newCount: comparison.newFindings.length,
        fixedCount: comparison.fixed.length,
        unchangedCount: comparison.unchanged.length,
        comparison
      }
      if (cfg.failOn === 'new') {
        const fresh = new Set(comparison.newFindings)
        failing = failing.filter((f) => fresh.has(f))
      }
    } else {
      baseline = {
        ref: baselineRef,
        origin,
        found: false,
        note: b.note,
        newCount: 0,
        fixedCount: 0,
        unchangedCount: 0
      }
      log.info(
        `baseline: ${b.note ?? 'not found'}` +
          (cfg.failOn === 'new' ? '; failing on every finding (scan-fail-on: all)' : '')
      )
    }
  }

  const cacheSaved = cacheStates.length ? await saveDbCache(cacheStates, log) : []
  return {
    ...summary,
    failing,
    passed: failing.length === 0,
    reportPath,
    sarifPath: sarif.code === 0 ? sarifPath : '',
    sbomPath: sbom.code === 0 ? sbomPath : '',
    trivy,
    seconds: (Date.now() - started) / 1000,
    image: target.image,
    db,
    cacheDir,
    cacheSaved,
    ignoreFile,
    vex: cfg.vex,
    suppressed: countSuppressed(report),
    failOn: cfg.failOn,
    baseline,
    packages: groupByPackage(summary.findings)
  }
}
