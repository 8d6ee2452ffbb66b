import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { BuildResult } from '../build/index.js'
import type { Config } from '../config.js'
import type { LintReport } from '../lint/index.js'
import type { Logger } from '../log.js'
import { contextFromEnvironment, type GitContext, type MetaResult } from '../meta/index.js'
import type { RunPlan } from '../plan.js'
import { splitTag, type PushResult } from '../push/index.js'
import { RegistryClient, type Credentials } from '../registry/client.js'
import type { ScanResult } from '../scan/index.js'
import type { SmokeResult } from '../smoke/index.js'
import { Cosign, cosignEnv, resolveCosign } from './cosign.js'
import { decideSigning, type SigningDecision } from './decide.js'
import {
  builderId,
  CYCLONEDX_PREDICATE,
  provenancePredicate,
  SLSA_PROVENANCE_V1,
  statement,
  workspacePath,
  type GateFacts,
  type Subject
} from './provenance.js'
import { attachUnsigned, referrersTag } from './referrers.js'

export { decideSigning, oidcAvailable, parseSupply } from './decide.js'

/** What the run produced, as the pipeline recorded it; publishing reads it and changes nothing. */
export interface PublishInput {
  push: PushResult
  build: BuildResult
  meta: MetaResult
  plan: RunPlan
  lint?: LintReport
  smoke?: SmokeResult
  scan?: ScanResult
  /** Gate name → status, from the stage records. */
  gates: Record<string, 'passed' | 'failed' | 'skipped'>
  startedOn?: Date
}

export interface PublishDeps {
  log: Logger
  env: NodeJS.ProcessEnv
  cwd: string
  reportDir: string
  /** The run's temporary DOCKER_CONFIG with its login; cosign reads the registry credentials there. */
  dockerConfig?: string
  credentials: (registry: string) => Promise<Credentials | undefined>
  context?: GitContext
  runId: string
}

export interface Attestation {
  /** `cyclonedx` or `slsaprovenance1`. */
  type: string
  predicateType: string
  /** Where it lives: the `.att` tag (signed) or the referrer digest (unsigned). */
  ref: string
  signed: boolean
}

export interface SupplyResult {
  signing: SigningDecision
  signed: string[]
  attestations: Attestation[]
  cosign?: string
  provenancePath?: string
}

/** True when the run has anything to publish next to the image. */
export function publishes(cfg: Config['supply'], pushes: boolean, env: NodeJS.ProcessEnv): boolean {
  return pushes && (cfg.sbom || cfg.provenance !== 'false' || decideSigning(cfg, true, env).sign)
}

/** Every repository the digest was pushed to, once. */
export function pushedSubjects(
  push: PushResult
): (Subject & { registry: string; repository: string })[] {
  const seen = new Map<string, Subject & { registry: string; repository: string }>()
  for (const tag of push.pushed) {
    const t = splitTag(tag)
    const name = `${t.registry}/${t.repository}`
    if (!seen.has(name))
      seen.set(name, { name, digest: push.digest, registry: t.registry, repository: t.repository })
  }
  return [...seen.values()]
}

export function gateFacts(input: PublishInput, cfg: Config): GateFacts {
  const status: GateFacts['status'] = {}
  for (const g of ['lint', 'smoke', 'scan']) {
    const s = input.gates[g]
    // A failed gate never reaches this stage; anything but passed was switched off.
    status[g] = s === 'passed' ? 'passed' : 'skipped'
  }
  const facts: GateFacts = { status }
  if (input.lint && status.lint === 'passed') {
    const c = input.lint.counts
    facts.lint = {
      errors: c.error,
      warnings: c.warning,
      notices: c.info + c.style,
      threshold: input.lint.threshold
    }
  }
  if (input.smoke && status.smoke === 'passed') facts.smoke = { message: input.smoke.message }
  if (input.scan && status.scan === 'passed') {
    facts.scan = {
      counts: { ...input.scan.counts },
      severities: cfg.scan.severities,
      failOn: input.scan.failOn,
      ...(input.scan.db.updatedAt ? { dbUpdatedAt: input.scan.db.updatedAt } : {}),
      trivy: cfg.scan.trivyVersion
    }
  }
  return facts
}

/**
 * After the push: SBOM and provenance attached to the pushed digest, and the digest signed. With
 * signing, cosign attaches signed DSSE attestations under its `sha256-<hex>.att` tag and the
 * signature under `.sig`; without, the statements are attached unsigned as OCI 1.1 referrers.
 */
export async function publish(
  cfg: Config,
  input: PublishInput,
  deps: PublishDeps
): Promise<SupplyResult> {
  const { log, env } = deps
  const s = cfg.supply
  const signing = decideSigning(s, true, env)
  const subjects = pushedSubjects(input.push)
  const digest = input.push.digest
  const result: SupplyResult = { signing, signed: [], attestations: [] }
  log.info(`signing: ${signing.sign ? signing.method : 'no'} (${signing.reason})`)

  let cosign: Cosign | undefined
  if (signing.sign) {
    const bin = await resolveCosign(log, {
      version: s.cosignVersion,
      url: s.cosignDownloadUrl || undefined,
      userSha256: s.cosignSha256 || undefined,
      env
    })
    result.cosign = bin
    if (s.signingPassword) log.secret(s.signingPassword)
    cosign = new Cosign(
      bin,
      log,
      cosignEnv(env, {
        dockerConfig: deps.dockerConfig,
        password: s.signingPassword,
        key: signing.method === 'key'
      })
    )
  }
  const signFlags = (): string[] => {
    const f = ['--yes']
    if (signing.method === 'key') {
      f.push('--key', s.signingKey)
      if (!s.signTlog) f.push('--tlog-upload=false')
    }
    return f
  }

  const attach = async (
    type: string,
    predicateType: string,
    predicateFile: string
  ): Promise<void> => {
    if (cosign) {
      for (const sub of subjects) {
        const ref = `${sub.name}@${digest}`
        await cosign.must(`attest --type ${type}`, [
          'attest',
          ...signFlags(),
          '--type',
          type,
          '--predicate',
          predicateFile,
          ref
        ])
        result.attestations.push({
          type,
          predicateType,
          ref: `${sub.name}:${referrersTag(digest)}.att`,
          signed: true
        })
      }
      return
    }
    const predicate: unknown = JSON.parse(await fs.readFile(predicateFile, 'utf8'))
    const root = input.build.manifest.descriptor
    for (const sub of subjects) {
      const client = new RegistryClient(sub.registry, {
        credentials: await deps.credentials(sub.registry)
      })
      const st = statement([sub], predicateType, predicate)
      const at = await attachUnsigned(client, sub.repository, root, st)
      log.info(`${type} attached to ${sub.name}@${digest} as the unsigned referrer ${at}`)
      result.attestations.push({ type, predicateType, ref: `${sub.name}@${at}`, signed: false })
    }
  }

  if (signing.sign && cosign) {
    for (const sub of subjects) {
      await cosign.must('sign', ['sign', ...signFlags(), `${sub.name}@${digest}`])
      result.signed.push(`${sub.name}@${digest}`)
    }
  }

  if (s.sbom) {
    const sbom = input.scan?.sbomPath
    if (!sbom)
      throw new Error('sbom: the scan produced no CycloneDX SBOM to attach (see the scan log).')
    await attach('cyclonedx', CYCLONEDX_PREDICATE, sbom)
  }

  if (s.provenance !== 'false') {
    const ctx = deps.context ?? (await contextFromEnvironment(env, { cwd: deps.cwd }))
    const ws = env.GITHUB_WORKSPACE || deps.cwd
    const runUrl =
      env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
        ? `${(env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT ?? '1'}`
        : deps.runId
    const predicate = provenancePredicate({
      mode: s.provenance,
      subjects,
      builder: builderId(env),
      source: {
        repository:
          ctx.repository?.htmlUrl ?? input.meta.labels['org.opencontainers.image.source'] ?? '',
        ref: ctx.ref,
        sha: ctx.sha
      },
      build: {
        context: workspacePath(ws, cfg.context),
        file: workspacePath(ws, cfg.file),
        target: cfg.target,
        platforms: input.plan.platform ? [input.plan.platform] : cfg.platforms,
        buildArgs: Object.keys(cfg.buildArgs),
        images: input.meta.images,
        tags: input.push.pushed
      },
      gates: gateFacts(input, cfg),
      invocationId: runUrl,
      startedOn: input.startedOn?.toISOString(),
      finishedOn: new Date().toISOString()
    })
    const file = path.join(deps.reportDir, 'provenance.json')
    await fs.writeFile(file, JSON.stringify(predicate, null, 2))
    result.provenancePath = file
    await attach('slsaprovenance1', SLSA_PROVENANCE_V1, file)
  }
  return result
}

/** The stage's outputs. */
export function supplyOutputs(r: SupplyResult): Record<string, string> {
  return {
    signed: r.signed.length ? 'true' : 'false',
    attestations: r.attestations.map((a) => `${a.predicateType} ${a.ref}`).join('\n')
  }
}

export function supplyDetail(r: SupplyResult): string {
  const parts: string[] = []
  parts.push(r.signed.length ? `signed (${r.signing.method})` : `not signed: ${r.signing.reason}`)
  for (const a of r.attestations) parts.push(`${a.type}${a.signed ? '' : ' (unsigned)'}`)
  return parts.join(', ')
}
