import { randomBytes } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { engineFacts, prepareBuilder, removeBuilder } from './build/builder.js'
import { build, BuildError, testedLayoutDir, type BuildResult } from './build/index.js'
import type { Config } from './config.js'
import { Docker } from './docker.js'
import { isUserError, UserError } from './errors.js'
import { ACTION_DEFAULT_THRESHOLD, lint, toSarif, type LintReport } from './lint/index.js'
import type { Logger } from './log.js'
import { BufferedLogger } from './log-buffer.js'
import {
  computeMeta,
  contextFromEnvironment,
  type GitContext,
  type MetaResult
} from './meta/index.js'
import { credentialLabel, planRun, type CachePlan, type RunPlan } from './plan.js'
import type { PushDecision } from './policy.js'
import { canonicalRegistry, isDockerHub } from './reference.js'
import { createDockerConfig, login } from './push/login.js'
import { formatBytes, pushLayout, splitTag, type PushResult } from './push/index.js'
import { highestRelease } from './push/latest.js'
import { RegistryClient, type Credentials } from './registry/client.js'
import { credentialsFromDockerConfig } from './registry/credentials.js'
import { compressedSize, layerBlobs } from './registry/layout.js'
import type { ScanResult } from './scan/index.js'
import { combineScans, platformScanDetail, scanBuilt } from './scan/platforms.js'
import { describeFinding } from './scan/report.js'
import { scanDetail, scanFailure, scanOutputs } from './scan/summary.js'
import { smoke, type SmokeResult } from './smoke/index.js'
import { smokeFailureDetails, smokeOutputs } from './smoke/summary.js'
import {
  decideSigning,
  publish,
  publishes,
  supplyDetail,
  supplyOutputs,
  type SupplyResult
} from './supply/index.js'

export type StageName = 'lint' | 'meta' | 'login' | 'build' | 'smoke' | 'scan' | 'push' | 'publish'
export const STAGES: StageName[] = [
  'lint',
  'meta',
  'login',
  'build',
  'smoke',
  'scan',
  'push',
  'publish'
]

export interface StageRecord {
  name: StageName
  status: 'passed' | 'failed' | 'skipped'
  seconds: number
  detail: string
}

/** What the post step (or the CLI's finally) must undo. */
export interface CleanupState {
  dockerConfig?: string
  containers: string[]
  builder?: string
  /** Large working directories (the OCI layout) to delete. */
  dirs?: string[]
  /** Private networks of smoke tests with sidecars. */
  networks?: string[]
}

export interface PipelineDeps {
  log: Logger
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Persists cleanup state as soon as it changes (the action's saveState). */
  saveCleanup?: (state: CleanupState) => void
  /** Override of the git context (tests, CLI flags). */
  context?: GitContext
  runId?: string
}

export interface PipelineResult {
  ok: boolean
  failedStage?: StageName
  error?: string
  /** The failure is the user's to fix (an input, a missing file), not a gate. */
  userError?: boolean
  stages: StageRecord[]
  outputs: Record<string, string>
  pushDecision?: PushDecision
  plan?: RunPlan
  meta?: MetaResult
  lint?: LintReport
  build?: BuildResult
  cache?: CachePlan
  smoke?: SmokeResult
  scan?: ScanResult
  push?: PushResult
  supply?: SupplyResult
  cleanup: CleanupState
  reportDir: string
}

class GateFailed extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GateFailed'
  }
}

export function newRunId(env: NodeJS.ProcessEnv = process.env): string {
  const gh = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-` : ''
  return `${gh}${randomBytes(4).toString('hex')}`
}

/** `images` empty: the GitHub repository, in the registry we log in to. */
export function defaultImages(
  cfg: Pick<Config, 'images' | 'registry'>,
  env: NodeJS.ProcessEnv
): string {
  if (cfg.images.trim()) return cfg.images
  const repo = env.GITHUB_REPOSITORY?.toLowerCase()
  if (!repo) return ''
  return isDockerHub(cfg.registry) ? repo : `${cfg.registry.replace(/\/+$/, '')}/${repo}`
}

/**
 * The credentials for `registry` and where they came from: its `registry-auth` line, else the
 * run's `username`/`password` (for the `registry` input), else the Docker client's configuration
 * (`dockerConfig`: the run's own once it logged in, so helpers the user configured are read before).
 */
export async function credentialsFor(
  cfg: Pick<Config, 'registry' | 'username' | 'password' | 'registryAuth'>,
  registry: string,
  dockerConfig?: string
): Promise<{ credentials?: Credentials; source: string }> {
  const auth = cfg.registryAuth.find((a) => a.registry === registry)
  if (auth) {
    return {
      credentials: { username: auth.username, password: auth.password },
      source: credentialLabel({ kind: 'registry-auth', line: auth.line })
    }
  }
  if (cfg.username && registry === canonicalRegistry(cfg.registry))
    return {
      credentials: { username: cfg.username, password: cfg.password },
      source: credentialLabel({ kind: 'inputs' })
    }
  return {
    credentials: await credentialsFromDockerConfig(registry, dockerConfig),
    source: credentialLabel({ kind: 'docker-config' })
  }
}

/** Drops `latest` from the push when `latest=highest` and the registry holds a higher release. */
async function latestPolicy(
  plan: RunPlan,
  creds: Map<string, Credentials | undefined>,
  log: Logger,
  sources?: Map<string, string>
): Promise<string[]> {
  const policy = plan.latestHighest
  if (!policy) return plan.pushTags
  const kept: string[] = []
  for (const tag of plan.pushTags) {
    const t = splitTag(tag)
    if (t.tag !== policy.tag) {
      kept.push(tag)
      continue
    }
    const existing = await new RegistryClient(t.registry, {
      credentials: creds.get(t.registry),
      credentialSource: sources?.get(t.registry)
    }).listTags(t.repository)
    const verdict = highestRelease(policy.version, existing, policy)
    if (verdict.highest) kept.push(tag)
    else
      log.info(
        `${tag} stays where it is: ${verdict.above} is higher than ${policy.version} (latest=highest)`
      )
  }
  return kept
}

function lintSeverityCounts(report: LintReport): {
  errors: number
  warnings: number
  notices: number
} {
  return {
    errors: report.counts.error,
    warnings: report.counts.warning,
    notices: report.counts.info + report.counts.style
  }
}

/**
 * lint -> meta (and the run's plan) -> login -> build -> smoke and scan side by side -> push.
 * The first failed gate stops the run. The build writes the image into the daemon (smoke) and as
 * an OCI layout of the same manifest (scan, push); the push sends those bytes by digest and moves
 * tags only once every gate passed.
 */
export async function runPipeline(cfg: Config, deps: PipelineDeps): Promise<PipelineResult> {
  const log = deps.log
  const env = deps.env ?? process.env
  const runId = deps.runId ?? newRunId(env)
  const reportDir = path.join(env.RUNNER_TEMP || os.tmpdir(), `ml-docker-${runId}`)
  const cleanup: CleanupState = { containers: [], dirs: [] }
  const save = (): void =>
    deps.saveCleanup?.({
      ...cleanup,
      containers: [...cleanup.containers],
      dirs: [...(cleanup.dirs ?? [])]
    })
  const result: PipelineResult = { ok: false, stages: [], outputs: {}, cleanup, reportDir }
  const docker = new Docker(log)
  /** Work that needs no waiting for (a smoke container's removal); awaited before the run ends. */
  const background: Promise<void>[] = []
  await fs.mkdir(reportDir, { recursive: true })

  /** Runs one stage and records it; `out` is where its log goes (a buffer when it runs beside another). */
  const runStage = async <T>(
    name: StageName,
    fn: (out: Logger) => Promise<{ value: T; detail: string }>,
    out: Logger = log
  ): Promise<T> => {
    const started = Date.now()
    try {
      const { value, detail } = await fn(out)
      const seconds = (Date.now() - started) / 1000
      result.stages.push({ name, status: 'passed', seconds, detail })
      out.info(`${name} passed in ${seconds.toFixed(1)}s: ${detail}`)
      return value
    } catch (e) {
      const seconds = (Date.now() - started) / 1000
      const message = e instanceof Error ? e.message : String(e)
      result.stages.push({ name, status: 'failed', seconds, detail: firstLine(message) })
      result.failedStage ??= name
      throw e
    }
  }
  const stage = <T>(
    name: StageName,
    fn: (out: Logger) => Promise<{ value: T; detail: string }>
  ): Promise<T> => log.group(name, () => runStage(name, fn))
  const skip = (name: StageName, why: string): void => {
    result.stages.push({ name, status: 'skipped', seconds: 0, detail: why })
  }

  try {
    if (!existsSync(cfg.file)) {
      throw new UserError(
        `Dockerfile not found: ${cfg.file}. Set "file" (or "context") to where it is.`
      )
    }

    // lint
    if (cfg.lint.enabled) {
      await stage('lint', async () => {
        const r = await lint({
          dockerfile: cfg.file,
          context: cfg.context,
          configFile: cfg.lint.configFile || undefined,
          overrides: {
            failureThreshold: cfg.lint.threshold,
            ...(cfg.lint.ignore.length ? { ignored: cfg.lint.ignore } : {})
          },
          defaultThreshold: ACTION_DEFAULT_THRESHOLD
        })
        result.lint = r
        await emitLint(r, log, reportDir, result.outputs, deps.cwd ?? process.cwd())
        const c = lintSeverityCounts(r)
        const detail = `${c.errors} errors, ${c.warnings} warnings, ${c.notices} notices (threshold ${r.threshold})`
        if (r.failed)
          throw new GateFailed(`lint found findings at or above "${r.threshold}": ${detail}`)
        return { value: r, detail }
      })
    } else skip('lint', 'lint: false')

    // meta, and the plan: everything that could stop a release is decided before any side effect.
    const { meta, plan } = await stage('meta', async () => {
      const ctx =
        deps.context ??
        (await contextFromEnvironment(env, { cwd: deps.cwd, token: cfg.githubToken }))
      const m = computeMeta(
        {
          images: defaultImages(cfg, env),
          tags: cfg.tags,
          flavor: cfg.flavor,
          labels: cfg.labels,
          annotations: cfg.annotations
        },
        ctx,
        env
      )
      for (const w of m.warnings) log.warning(w)
      result.meta = m
      Object.assign(result.outputs, {
        version: m.version,
        tags: m.tags.join('\n'),
        'tag-names': m.tagNames.join('\n'),
        labels: Object.entries(m.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
        annotations: m.annotations.join('\n'),
        json: JSON.stringify(m.json)
      })
      for (const t of m.tags) log.info(t)
      await docker.available()
      const engine = await engineFacts(cfg, docker)
      const p = planRun({ cfg, meta: m, ctx, engine, runId, reportDir })
      result.plan = p
      result.pushDecision = p.push
      // sign: true on a run that pushes needs a key or an OIDC token: refused before the build.
      decideSigning(cfg.supply, p.push.push, env)
      result.cache = p.cache
      log.info(
        `plan: Docker ${engine.version} (${engine.store} image store); builder ${p.builder.name} ` +
          `(${p.builder.driver}, ${p.builder.mode === 'create' ? 'created for this run' : 'existing'}); ` +
          (p.path === 'daemon'
            ? 'image built straight into the daemon store plus an OCI layout for the scan and the push'
            : 'an OCI layout for the scan and the push, loaded into the daemon beside the scan') +
          `; ${p.cache.note}`
      )
      if (p.push.push) log.info(`push order: ${p.pushTags.join(', ')}`)
      if (p.push.push && !cfg.username && cfg.registryAuth.length === 0) {
        log.warning(
          'No username/password given: pushing with the credentials already in the Docker client configuration.'
        )
      }
      return {
        value: { meta: m, plan: p },
        detail: `${m.tags.length} tags (${m.tagNames.join(', ') || 'none'}); ${p.push.reason}`
      }
    })

    // login: its own step, so a wrong password is reported as such and nothing was built yet.
    if (plan.logins.length) {
      await stage('login', async () => {
        // Every registry the run pushes to (or caches in), each with its own credential, in the
        // run's own DOCKER_CONFIG: BuildKit's cache export and the push both see them there.
        // Credentials from the user's Docker configuration (helpers included) are read first.
        const creds = await Promise.all(
          plan.logins.map((l) =>
            l.source.kind === 'docker-config'
              ? credentialsFromDockerConfig(canonicalRegistry(l.registry))
              : credentialsFor(cfg, canonicalRegistry(l.registry)).then((c) => c.credentials)
          )
        )
        for (const c of creds) if (c) log.secret(c.password)
        cleanup.dockerConfig = await createDockerConfig()
        save()
        docker.env.dockerConfig = cleanup.dockerConfig
        const done: string[] = []
        for (const [i, l] of plan.logins.entries()) {
          const c = creds[i]
          if (!c) {
            log.warning(
              `${l.registry}: no credentials in "registry-auth", "username"/"password" or the Docker ` +
                'client configuration; pushing there without logging in.'
            )
            continue
          }
          await login(docker, l.registry, c.username, c.password, credentialLabel(l.source))
          done.push(`${c.username}@${l.registry}`)
        }
        return { value: undefined, detail: done.join(', ') || 'no credentials found' }
      })
    } else {
      skip(
        'login',
        plan.push.push
          ? 'no credentials given: using the Docker client configuration'
          : plan.push.reason
      )
    }

    // build
    const built = await stage('build', async () => {
      if (plan.builder.mode === 'create') {
        cleanup.builder = plan.builder.name
        save()
      }
      await prepareBuilder(plan.builder, cfg, docker)
      cleanup.dirs = [plan.layoutDir, testedLayoutDir(plan.layoutDir)]
      save()
      const b = await build(
        {
          builder: plan.builder.name,
          context: cfg.context,
          file: cfg.file,
          tags: plan.localTags,
          labels: meta.labels,
          buildArgs: cfg.buildArgs,
          secretIds: Object.keys(cfg.secrets),
          target: cfg.target,
          platform: plan.platform,
          ...(plan.nativePlatform ? { nativePlatform: plan.nativePlatform } : {}),
          loadFromLayout: plan.loadFromLayout,
          perPlatformBuilds: plan.perPlatformBuilds,
          cacheFrom: plan.cache.from,
          cacheTo: plan.cache.to,
          annotations: plan.annotations,
          layoutDir: plan.layoutDir,
          metadataFile: path.join(reportDir, 'build-metadata.json')
        },
        cfg.secrets,
        docker
      )
      result.build = b
      Object.assign(result.outputs, {
        digest: b.digest,
        'platform-digests': b.platforms.map((p) => `${p.platform}=${p.digest}`).join('\n')
      })
      return {
        value: b,
        detail:
          `${b.digest.slice(0, 19)} (${formatBytes(compressedSize(b.manifest))} compressed) ` +
          `ready in ${b.seconds.toFixed(1)}s` +
          (plan.nativePlatform
            ? `; ${b.platforms.map((p) => p.platform).join(', ')} (${plan.nativePlatform} in the daemon)`
            : '')
      }
    })

    built.loaded.then(
      (id) => (result.outputs.imageid = id),
      () => undefined
    )
    // A builder the run created has nothing left to do once buildx has exited (the image is in
    // the layout and the daemon): it is removed beside the gates, not after the push.
    const createdBuilder = cleanup.builder
    if (createdBuilder) {
      background.push(
        built.finished
          .then(
            () => undefined,
            () => undefined
          )
          .then(() => removeBuilder(docker, createdBuilder))
          .then(() => {
            if (cleanup.builder === createdBuilder) cleanup.builder = undefined
            save()
          })
          .catch((e: unknown) =>
            log.warning(
              `could not remove builder ${createdBuilder}: ${e instanceof Error ? e.message : String(e)}`
            )
          )
      )
    }

    // smoke and scan, side by side: both read the image the build wrote, neither changes it.
    const gates: Promise<void>[] = []
    const buffers: [StageName, BufferedLogger][] = []
    if (cfg.smoke.enabled) {
      const out = new BufferedLogger(log)
      buffers.push(['smoke', out])
      gates.push(
        runStage(
          'smoke',
          async () => {
            // With a load from the layout, the image reaches the daemon while the scan runs.
            const imageId = await built.loaded
            if (built.loadSeconds !== undefined)
              out.info(`image loaded from the OCI layout in ${built.loadSeconds.toFixed(1)}s`)
            const s = await smoke(imageId, docker.withLog(out), {
              ...cfg.smoke,
              runId,
              compareWith: meta.images.length ? meta.tags : [],
              compressed: {
                bytes: layerBlobs(built.tested).reduce((n, l) => n + l.size, 0),
                method: 'stored',
                layers: layerBlobs(built.tested).length,
                digests: layerBlobs(built.tested).map((l) => l.digest)
              },
              onContainer: (name) => {
                cleanup.containers.push(name)
                save()
              },
              onNetwork: (name) => {
                cleanup.networks = [...(cleanup.networks ?? []), name]
                save()
              },
              // Removing the container waits for nothing of the run: it goes on beside the push.
              onRemoval: (removal) => background.push(removal)
            })
            result.smoke = s
            Object.assign(result.outputs, smokeOutputs(s))
            if (!s.passed) {
              for (const block of smokeFailureDetails(s)) out.info(block)
              out.annotate({ level: 'error', title: 'smoke test failed', message: s.message })
              throw new GateFailed(s.message)
            }
            return { value: undefined, detail: s.message }
          },
          out
        )
      )
    } else skip('smoke', 'smoke: false')
    if (cfg.scan.enabled) {
      const out = new BufferedLogger(log)
      buffers.push(['scan', out])
      gates.push(
        runStage(
          'scan',
          async () => {
            // Trivy reads the OCI layout the build wrote, at the tested digest: no docker save.
            // Every platform of a multi-platform index is scanned; the gate needs all to pass.
            const scans = await scanBuilt(
              cfg.scan,
              { image: meta.tags[0] ?? plan.localTags[0], defaultBaseline: meta.tags[0] },
              {
                // The view names only the tested image: buildx writes the layout's own index
                // when it exits, and the scan starts before.
                layout: built.view,
                manifest: built.manifest,
                nativePlatform: plan.nativePlatform
              },
              {
                log: out,
                outDir: reportDir,
                docker: docker.withLog(out),
                env,
                ignoreDirs: [cfg.context]
              }
            )
            const s = combineScans(scans)
            if (scans.length > 1) out.info(`per platform: ${platformScanDetail(scans)}`)
            result.scan = s
            Object.assign(result.outputs, scanOutputs(s))
            for (const f of s.findings.slice(0, 50)) out.info(describeFinding(f))
            const detail = scans.length > 1 ? platformScanDetail(scans) : scanDetail(s)
            if (!s.passed) {
              for (const f of s.failing.slice(0, 20)) {
                out.annotate({
                  level: 'error',
                  title: `scan: ${f.id}`,
                  message: describeFinding(f)
                })
              }
              const failure = scanFailure(s, cfg.scan.severities)
              throw new GateFailed(scans.length > 1 ? `${failure} (${detail})` : failure)
            }
            return { value: undefined, detail }
          },
          out
        )
      )
    } else skip('scan', 'scan: false')
    // The build's last phase (the registry cache export) ran beside the gates; it ends before
    // anything is reported or pushed, so its record can still veto the push.
    const [settled, finished] = await Promise.all([
      Promise.allSettled(gates),
      built.finished.then(
        (c) => ({ ok: true as const, c }),
        (e: unknown) => ({ ok: false as const, e })
      )
    ])
    if (finished.ok) {
      const c = finished.c
      await log.group('build: cache export', () => Promise.resolve(c.tail.flush()))
      log.info(
        `build finished ${c.afterReady.toFixed(1)}s after the image existed (beside the gates), ` +
          `${c.seconds.toFixed(1)}s in all, ${c.cached.length} cached steps`
      )
    }
    for (const [name, out] of buffers) await log.group(name, () => Promise.resolve(out.flush()))
    if (!finished.ok) {
      // The build comes first: its failure (after the image existed) is the run's failure, and a
      // smoke test that never got its image did not run.
      const message = finished.e instanceof Error ? finished.e.message : String(finished.e)
      const loadError = await built.loaded.then(
        () => undefined,
        (e: unknown) => e
      )
      for (const record of result.stages) {
        if (record.name === 'build')
          Object.assign(record, { status: 'failed', detail: firstLine(message) })
        if (record.name === 'smoke' && loadError && record.status === 'failed')
          Object.assign(record, {
            status: 'skipped',
            detail: 'not run: the image never reached the daemon'
          })
      }
      result.failedStage = 'build'
      throw finished.e
    }
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) {
      // Smoke before scan in the report, whichever finished first.
      result.failedStage = STAGES.find((n) =>
        result.stages.some((s) => s.name === n && s.status === 'failed')
      )
      throw failed.reason
    }

    // push
    if (plan.push.push) {
      await stage('push', async () => {
        const registries = [...new Set(plan.pushTags.map((t) => splitTag(t).registry))]
        const creds = new Map<string, Credentials | undefined>()
        const sources = new Map<string, string>()
        for (const r of registries) {
          const c = await credentialsFor(cfg, r, cleanup.dockerConfig)
          creds.set(r, c.credentials)
          sources.set(r, c.source)
        }
        for (const v of creds.values()) if (v) log.secret(v.password)
        const tags = await latestPolicy(plan, creds, log, sources)
        const p = await pushLayout(built.layout, built.manifest, tags, {
          log,
          credentials: (r) => creds.get(r),
          credentialSource: (r) => sources.get(r),
          deadline: Date.now() + cfg.pushTimeoutSeconds * 1000
        })
        result.push = p
        // What the registry now serves, not what we believe we sent.
        for (const tag of p.pushed) {
          const t = splitTag(tag)
          const served = await new RegistryClient(t.registry, {
            credentials: creds.get(t.registry),
            credentialSource: sources.get(t.registry)
          }).manifestDigest(t.repository, t.tag)
          if (served !== built.digest) {
            throw new Error(
              `${tag} resolves to ${served ?? 'nothing'} in the registry, not the tested ${built.digest}.`
            )
          }
        }
        return {
          value: p,
          detail:
            `${p.pushed.length} tags -> ${p.digest}; ${formatBytes(p.uploadedBytes)} uploaded, ` +
            `${p.reusedBlobs} blobs already there or mounted, in ${p.seconds.toFixed(1)}s`
        }
      })
    } else skip('push', plan.push.reason)

    // publish: SBOM, provenance and signature, on the digest the registry now serves.
    const pushed = result.push
    if (pushed && publishes(cfg.supply, true, env)) {
      await stage('publish', async () => {
        const r = await publish(
          cfg,
          {
            push: pushed,
            build: built,
            meta,
            plan,
            lint: result.lint,
            smoke: result.smoke,
            scan: result.scan,
            gates: Object.fromEntries(result.stages.map((s) => [s.name, s.status]))
          },
          {
            log,
            env,
            cwd: deps.cwd ?? process.cwd(),
            reportDir,
            dockerConfig: cleanup.dockerConfig,
            credentials: async (r) => (await credentialsFor(cfg, r)).credentials,
            context: deps.context,
            runId
          }
        )
        result.supply = r
        Object.assign(result.outputs, supplyOutputs(r))
        return { value: r, detail: supplyDetail(r) }
      })
    } else skip('publish', pushed ? 'sbom, provenance and sign are off' : 'nothing pushed')
    result.outputs.pushed = result.push ? 'true' : 'false'
    result.ok = true
  } catch (e) {
    result.ok = false
    result.outputs.pushed = result.push ? 'true' : 'false'
    result.error = e instanceof Error ? e.message : String(e)
    if (isUserError(e)) result.userError = true
    if (
      !(e instanceof GateFailed) &&
      !isUserError(e) &&
      !(e instanceof BuildError) &&
      e instanceof Error &&
      e.stack
    ) {
      log.debug(e.stack)
    }
    for (const name of STAGES) {
      if (!result.stages.some((s) => s.name === name))
        skip(name, `not run: ${result.failedStage ?? 'setup'} failed`)
    }
  } finally {
    await Promise.allSettled(background)
    // The smoke test's memory figures are complete once its containers are removed.
    if (result.smoke) Object.assign(result.outputs, smokeOutputs(result.smoke))
    // The layout is as large as the compressed image: it goes as soon as nothing needs it.
    for (const dir of cleanup.dirs ?? [])
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined)
    cleanup.dirs = []
    save()
  }
  result.stages.sort((a, b) => STAGES.indexOf(a.name) - STAGES.indexOf(b.name))
  return result
}

/** Annotations resolve paths against the workspace; files outside it keep their absolute path. */
function annotationPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300)
}

async function emitLint(
  report: LintReport,
  log: Logger,
  reportDir: string,
  outputs: Record<string, string>,
  cwd: string
): Promise<void> {
  const levels = { error: 'error', warning: 'warning', info: 'notice', style: 'notice' } as const
  for (const f of report.findings) {
    log.annotate({
      level: levels[f.severity],
      title: f.rule,
      message: f.message,
      file: annotationPath(cwd, f.file),
      line: f.line
    })
  }
  const sarifPath = path.join(reportDir, 'lint.sarif')
  await fs.writeFile(sarifPath, JSON.stringify(toSarif(report), null, 2))
  const c = lintSeverityCounts(report)
  Object.assign(outputs, {
    'lint-errors': String(c.errors),
    'lint-warnings': String(c.warnings),
    'lint-notices': String(c.notices),
    'lint-sarif': sarifPath
  })
}
