/** Raw inputs, exactly as the action receives them (multi-line / CSV strings). */
export interface MetaInputs {
  images: string
  tags: string
  flavor: string
  labels: string
  annotations: string
  sepTags?: string
  /**
   * Annotation levels when DOCKER_METADATA_ANNOTATIONS_LEVELS is not set, comma-separated
   * (`manifest`, `index`, ...). The pipeline passes `manifest,index` for multi-platform pushes.
   */
  annotationLevels?: string
}

/** What the labels need to know about the repository (from the event payload, git or the API). */
export interface RepositoryInfo {
  /** owner/name */
  fullName?: string
  name?: string
  description?: string
  htmlUrl?: string
  /** SPDX identifier */
  license?: string
  defaultBranch?: string
}

/** Where the context came from, for logs. */
export type ContextSource = 'workflow' | 'git' | 'none'

export interface GitContext {
  /** GitHub event name (`push`, `pull_request`, ...); `push` for a local repository. */
  eventName: string
  /** Commit SHA (the merge commit for pull_request events, as on GitHub). */
  sha: string
  /** Full git ref: refs/heads/<branch>, refs/tags/<tag>, refs/pull/<n>/merge; '' when unknown. */
  ref: string
  /** The event payload (GITHUB_EVENT_PATH), {} for a local repository. */
  payload: Record<string, unknown>
  /** Repository data; fields missing here are taken from payload.repository. */
  repository?: RepositoryInfo
  commitDate?: Date
  defaultBranch?: string
  source?: ContextSource
  /** How each piece was obtained, and what could not be (never fatal). */
  notes?: string[]
}

export interface MetaResult {
  /** The main tag (highest-priority rule), '' when no tag was generated. */
  version: string
  /** Full references image:tag for every enabled image (tag names alone when no image is given). */
  tags: string[]
  tagNames: string[]
  /** The floating `latest` tag name (with flavor prefix/suffix, e.g. latest-gpu) when one was added. */
  latestTag?: string
  labels: Record<string, string>
  /** level:key=value */
  annotations: string[]
  /** Enabled image names, normalized. */
  images: string[]
  warnings: string[]
  /** The action's `json` output: { tags, labels, annotations }. */
  json: { tags: string[]; labels: Record<string, string>; annotations: string[] }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** Repository data carried by most event payloads (`repository` object of the webhook). */
export function repositoryFromPayload(payload: Record<string, unknown>): RepositoryInfo {
  const repo = payload['repository']
  if (repo === null || typeof repo !== 'object') return {}
  const r = repo as Record<string, unknown>
  const license = r['license'] as Record<string, unknown> | null | undefined
  const info: RepositoryInfo = {}
  const set = <K extends keyof RepositoryInfo>(key: K, value: string | undefined): void => {
    if (value !== undefined) info[key] = value
  }
  set('fullName', str(r['full_name']))
  set('name', str(r['name']))
  set('description', str(r['description']))
  set('htmlUrl', str(r['html_url']))
  set('license', license && typeof license === 'object' ? str(license['spdx_id']) : undefined)
  set('defaultBranch', str(r['default_branch']))
  return info
}

/** The commit date of `sha` when the payload carries it (push events list their commits, merge_group has its head). */
export function commitDateFromPayload(
  payload: Record<string, unknown>,
  sha: string
): Date | undefined {
  const candidates: unknown[] = []
  if (Array.isArray(payload['commits'])) candidates.push(...(payload['commits'] as unknown[]))
  if (payload['head_commit']) candidates.push(payload['head_commit'])
  const mergeGroup = payload['merge_group'] as Record<string, unknown> | undefined
  if (mergeGroup && typeof mergeGroup === 'object' && mergeGroup['head_commit'])
    candidates.push(mergeGroup['head_commit'])
  for (const c of candidates) {
    if (c && typeof c === 'object') {
      const commit = c as Record<string, unknown>
      const ts = str(commit['timestamp'])
      if (commit['id'] === sha && ts) {
        const d = new Date(ts)
        if (!Number.isNaN(d.getTime())) return d
      }
    }
  }
  return undefined
}
