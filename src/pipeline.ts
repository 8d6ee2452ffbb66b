import { randomBytes } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensureBuilder } from './build/builder.js'
import { build, BuildError, exportCache, type BuildResult } from './build/index.js'
import type { BuildPlan } from './build/args.js'
import { planCache, type CachePlan } from './build/cache.js'
import type { Config } from './config.js'
import { Docker } from './docker.js'
import { isUserError, UserError } from './errors.js'
import { ACTION_DEFAULT_THRESHOLD, lint, toSarif, type LintReport } from './lint/index.js'
import type { Logger } from './log.js'
import {
  computeMeta,
  contextFromEnvironment,
  type GitContext,
  type MetaResult
} from './meta/index.js'
import { checkImagesMatchRegistry, decidePush, type PushDecision } from './policy.js'
import { isDockerHub } from './reference.js'
import { createDockerConfig, login } from './push/login.js'
import { push, type PushResult } from './push/index.js'
import { scan, type ScanResult } from './scan/index.js'
import { describeFinding } from './scan/report.js'
import { smoke, type SmokeResult } from './smoke/index.js'

export type StageName = 'lint' | 'meta' | 'build' | 'smoke' | 'scan' | 'push'
export const STAGES: StageName[] = ['lint', 'meta', 'build', 'smoke', 'scan', 'push']

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
  stages: StageRecord[]
  outputs: Record<string, string>
  pushDecision?: PushDecision
  meta?: MetaResult
  lint?: LintReport
  build?: BuildResult
  cache?: CachePlan
  smoke?: SmokeResult
  scan?: ScanResult
  push?: PushResult
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
export function defaultImages(cfg: Config, env: NodeJS.ProcessEnv): string {
  if (cfg.images.trim()) return cfg.images
  const repo = env.GITHUB_REPOSITORY?.toLowerCase()
  if (!repo) return ''
  return isDockerHub(cfg.registry) ? repo : `${cfg.registry.replace(/\/+$/, '')}/${repo}`
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
 * lint -> meta -> build -> smoke -> scan -> push. The first failed gate stops the run; push happens
 * only when the policy allows it and every enabled gate before it passed, and it pushes the image id
 * that the smoke test and the scan saw.
 */
export async function runPipeline(cfg: Config, deps: PipelineDeps): Promise<PipelineResult> {
  const log = deps.log
  const env = deps.env ?? process.env
  const runId = deps.runId ?? newRunId(env)
  const reportDir = path.join(env.RUNNER_TEMP || os.tmpdir(), `ml-docker-${runId}`)
  const cleanup: CleanupState = { containers: [] }
  const save = (): void => deps.saveCleanup?.({ ...cleanup, containers: [...cleanup.containers] })
  const result: PipelineResult = { ok: false, stages: [], outputs: {}, cleanup, reportDir }
  const docker = new Docker(log)
  await fs.mkdir(reportDir, { recursive: true })

  const stage = async <T>(
    name: StageName,
    fn: () => Promise<{ value: T; detail: string }>
  ): Promise<T> => {
    const started = Date.now()
    return log.group(`${name}`, async () => {
      try {
        const { value, detail } = await fn()
        const seconds = (Date.now() - started) / 1000
        result.stages.push({ name, status: 'passed', seconds, detail })
        log.info(`${name} passed in ${seconds.toFixed(1)}s: ${detail}`)
        return value
      } catch (e) {
        const seconds = (Date.now() - started) / 1000
        const message = e instanceof Error ? e.message : String(e)
        result.stages.push({ name, status: 'failed', seconds, detail: firstLine(message) })
        result.failedStage = name
        throw e
      }
    })
  }
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
      const report = await stage('lint', async () => {
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
      log.debug(`lint checked ${report.files.length} file(s)`)
    } else skip('lint', 'lint: false')

    // meta
    const meta = await stage('meta', async () => {
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
      // Outside a workflow there is no event to authorize a publish: auto means no push.
      result.pushDecision = decidePush(cfg.push, ctx.source === 'workflow' ? ctx.eventName : '')
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
      if (result.pushDecision.push) {
        // Everything that could stop a release is checked before the first side effect.
        if (m.tags.length === 0 || m.images.length === 0) {
          throw new UserError(
            m.images.length === 0
              ? 'This run would push, but no image name is set. Set "images" (for example acme/predictor).'
              : 'This run would push, but the tag rules produced no tag for this event. Add a rule that matches ' +
                  '(for example type=ref,event=branch), or set push: false.'
          )
        }
        checkImagesMatchRegistry(m.images, cfg.registry)
        if (!cfg.username) {
          log.warning(
            'No username/password given: pushing with the credentials already in the Docker client configuration.'
          )
        }
      }
      return {
        value: m,
        detail: `${m.tags.length} tags (${m.tagNames.join(', ') || 'none'}); ${result.pushDecision.reason}`
      }
    })
    const decision = result.pushDecision!

    // build
    const localTag = `ml-docker-local/${
      path
        .basename(cfg.context)
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '-') || 'image'
    }:${runId}`
    const testTags = meta.images.length && meta.tags.length ? meta.tags : [localTag]
    let buildPlan: BuildPlan | undefined
    const built = await stage('build', async () => {
      await docker.available()
      if (decision.push && cfg.username) {
        cleanup.dockerConfig = await createDockerConfig()
        save()
        docker.env.dockerConfig = cleanup.dockerConfig
        await login(docker, cfg.registry, cfg.username, cfg.password)
      }
      const builder = await ensureBuilder(cfg, docker, runId)
      if (builder.created) {
        cleanup.builder = builder.name
        save()
      }
      const cache = planCache(cfg.cache, meta.images, decision.push)
      result.cache = cache
      log.info(cache.note)
      buildPlan = {
        builder: builder.name,
        context: cfg.context,
        file: cfg.file,
        tags: testTags,
        labels: meta.labels,
        buildArgs: cfg.buildArgs,
        secretIds: Object.keys(cfg.secrets),
        target: cfg.target,
        platform: cfg.platforms[0] ?? '',
        cacheFrom: cache.from,
        cacheTo: cache.to,
        iidFile: path.join(reportDir, 'iid'),
        metadataFile: path.join(reportDir, 'build-metadata.json')
      }
      const b = await build(buildPlan, cfg.secrets, docker)
      // The daemon's view is the truth for what gets tested and pushed.
      const daemonId = await docker.imageId(testTags[0])
      if (!daemonId)
        throw new Error(`The built image ${testTags[0]} is not in the local Docker daemon.`)
      b.imageId = daemonId
      result.build = b
      result.outputs.imageid = b.imageId
      return {
        value: b,
        detail: `${b.imageId.slice(0, 19)} in ${b.seconds.toFixed(1)}s, ${b.cached.length} cached steps`
      }
    })

    // smoke
    if (cfg.smoke.enabled) {
      await stage('smoke', async () => {
        const s = await smoke(testTags[0], docker, {
          timeoutSeconds: cfg.smoke.timeoutSeconds,
          env: cfg.smoke.env,
          runId,
          onContainer: (name) => {
            cleanup.containers.push(name)
            save()
          }
        })
        result.smoke = s
        if (!s.passed) {
          if (s.probeOutput) log.info(`health probe output (most recent last):\n${s.probeOutput}`)
          if (s.logs) log.info(`container logs (last 200 lines):\n${s.logs}`)
          log.annotate({ level: 'error', title: 'smoke test failed', message: s.message })
          throw new GateFailed(s.message)
        }
        return { value: s, detail: s.message }
      })
    } else skip('smoke', 'smoke: false')

    // scan
    if (cfg.scan.enabled) {
      await stage('scan', async () => {
        const s = await scan(cfg.scan, testTags[0], reportDir, log)
        result.scan = s
        Object.assign(result.outputs, {
          'scan-critical': String(s.counts.CRITICAL),
          'scan-high': String(s.counts.HIGH),
          'scan-medium': String(s.counts.MEDIUM),
          'scan-low': String(s.counts.LOW + s.counts.UNKNOWN),
          'scan-report': s.reportPath,
          'scan-sarif': s.sarifPath
        })
        for (const f of s.findings.slice(0, 50)) log.info(describeFinding(f))
        const detail =
          `${s.counts.CRITICAL} critical, ${s.counts.HIGH} high, ${s.counts.MEDIUM} medium, ` +
          `${s.counts.LOW + s.counts.UNKNOWN} low` +
          (s.ignoredUnfixed ? ` (${s.ignoredUnfixed} unfixed ignored)` : '')
        if (!s.passed) {
          for (const f of s.failing.slice(0, 20)) {
            log.annotate({ level: 'error', title: `scan: ${f.id}`, message: describeFinding(f) })
          }
          throw new GateFailed(
            `the scan found ${s.failing.length} findings of severity ${cfg.scan.severities.join('/')}: ${detail}`
          )
        }
        return { value: s, detail }
      })
    } else skip('scan', 'scan: false')

    // push
    if (decision.push) {
      await stage('push', async () => {
        const p = await push(docker, built.imageId, meta.tags)
        result.push = p
        result.outputs.digest = p.digest
        let cacheNote = ''
        if (buildPlan && buildPlan.cacheTo.length) {
          // The cache is written only now: a run that failed a gate leaves the registry untouched.
          try {
            const s = await exportCache(buildPlan, cfg.secrets, docker)
            cacheNote = `; cache exported to ${result.cache?.ref} in ${s.toFixed(1)}s`
          } catch (e) {
            log.warning(
              `The image was pushed, but the build cache could not be exported: ${e instanceof Error ? e.message : String(e)}`
            )
            cacheNote = '; cache export failed'
          }
        }
        return { value: p, detail: `${p.pushed.length} tags, ${p.digest}${cacheNote}` }
      })
    } else skip('push', decision.reason)
    result.outputs.pushed = result.push ? 'true' : 'false'
    result.ok = true
  } catch (e) {
    result.ok = false
    result.outputs.pushed = result.push ? 'true' : 'false'
    result.error = e instanceof Error ? e.message : String(e)
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
