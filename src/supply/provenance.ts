import path from 'node:path'
import type { ProvenanceMode } from './decide.js'

export const INTOTO_STATEMENT = 'https://in-toto.io/Statement/v1'
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1'
export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom'
/** The build type this action's provenance describes (its external parameters are listed below). */
export const BUILD_TYPE = 'urn:ml-docker-action:build:v1'

export interface Subject {
  /** The repository, without tag or digest (`registry/owner/app`). */
  name: string
  /** `sha256:<hex>` */
  digest: string
}

/** The gates of the run, as the pipeline recorded them. Only a run whose gates all passed publishes. */
export interface GateFacts {
  lint?: { errors: number; warnings: number; notices: number; threshold: string }
  smoke?: { message: string; readySeconds?: number }
  scan?: {
    counts: Record<string, number>
    severities: string[]
    failOn: string
    dbUpdatedAt?: string
    trivy?: string
  }
  /** Gate name → passed | skipped (disabled by an input). */
  status: Record<string, 'passed' | 'skipped'>
}

export interface ProvenanceInput {
  mode: Exclude<ProvenanceMode, 'false'>
  subjects: Subject[]
  builder: { id: string; version: Record<string, string> }
  source: { repository: string; ref: string; sha: string }
  build: {
    /** Paths relative to the workspace. */
    context: string
    file: string
    target: string
    platforms: string[]
    /** Names only: values may be secrets or machine-specific. */
    buildArgs: string[]
    images: string[]
    tags: string[]
  }
  gates: GateFacts
  invocationId: string
  startedOn?: string
  finishedOn: string
}

export interface Statement {
  _type: string
  subject: { name: string; digest: Record<string, string> }[]
  predicateType: string
  predicate: unknown
}

/** A path for the record: relative to the workspace when inside it, never the runner's layout. */
export function workspacePath(workspace: string, p: string): string {
  const rel = path.relative(workspace, p)
  if (!rel) return '.'
  return rel.startsWith('..') || path.isAbsolute(rel)
    ? path.basename(p)
    : rel.split(path.sep).join('/')
}

/** `sha256:abc` → `{ sha256: 'abc' }`. */
export function digestSet(digest: string): Record<string, string> {
  const i = digest.indexOf(':')
  return { [digest.slice(0, i)]: digest.slice(i + 1) }
}

/** The SLSA v1 predicate: what was built from what, by whom, and which gates it passed. */
export function provenancePredicate(p: ProvenanceInput): Record<string, unknown> {
  const max = p.mode === 'max'
  const externalParameters: Record<string, unknown> = {
    source: { repository: p.source.repository, ref: p.source.ref, revision: p.source.sha },
    context: p.build.context,
    file: p.build.file,
    ...(p.build.target ? { target: p.build.target } : {}),
    platforms: p.build.platforms,
    images: p.build.images,
    tags: p.build.tags
  }
  if (max) externalParameters.buildArgs = p.build.buildArgs
  const gates: Record<string, unknown> = {}
  for (const [name, status] of Object.entries(p.gates.status)) {
    if (!max || status !== 'passed') {
      gates[name] = status
      continue
    }
    if (name === 'lint' && p.gates.lint) gates.lint = { status, ...p.gates.lint }
    else if (name === 'smoke' && p.gates.smoke) gates.smoke = { status, ...p.gates.smoke }
    else if (name === 'scan' && p.gates.scan) gates.scan = { status, ...p.gates.scan }
    else gates[name] = status
  }
  const resolvedDependencies = p.source.sha
    ? [
        {
          uri: p.source.repository
            ? `git+${p.source.repository}${p.source.ref ? `@${p.source.ref}` : ''}`
            : 'git',
          digest: { gitCommit: p.source.sha }
        }
      ]
    : []
  return {
    buildDefinition: {
      buildType: BUILD_TYPE,
      externalParameters,
      internalParameters: { gates },
      resolvedDependencies
    },
    runDetails: {
      builder: { id: p.builder.id, version: p.builder.version },
      metadata: {
        invocationId: p.invocationId,
        ...(p.startedOn ? { startedOn: p.startedOn } : {}),
        finishedOn: p.finishedOn
      }
    }
  }
}

/** An in-toto v1 statement about every pushed repository at the one tested digest. */
export function statement(
  subjects: Subject[],
  predicateType: string,
  predicate: unknown
): Statement {
  return {
    _type: INTOTO_STATEMENT,
    subject: subjects.map((s) => ({ name: s.name, digest: digestSet(s.digest) })),
    predicateType,
    predicate
  }
}

/** The builder's identity: the action as the workflow referenced it, or the CLI. */
export function builderId(env: NodeJS.ProcessEnv): { id: string; version: Record<string, string> } {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repo = env.GITHUB_ACTION_REPOSITORY
  const ref = env.GITHUB_ACTION_REF
  if (repo)
    return { id: `${server}/${repo}${ref ? `@${ref}` : ''}`, version: { action: ref || '' } }
  return { id: 'ml-docker-action (ml-docker CLI)', version: {} }
}
