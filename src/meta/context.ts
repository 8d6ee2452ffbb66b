import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import {
  commitDateFromPayload,
  repositoryFromPayload,
  type GitContext,
  type RepositoryInfo
} from './types.js'

const run = promisify(execFile)

export interface ContextOptions {
  /** Directory of the local repository (the CLI's working directory). */
  cwd?: string
  /** Token for the GitHub API, used only to fill in what the environment does not give. */
  token?: string
  /** Time limit of each API request, in milliseconds. */
  apiTimeoutMs?: number
}

/**
 * Reads the git context: from the GitHub Actions environment (GITHUB_* and the event payload) when
 * present, otherwise from the local repository. The GitHub API is asked only for what is still
 * missing and only with a token; any failure there is noted, never thrown.
 */
export async function contextFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  opts: ContextOptions = {}
): Promise<GitContext> {
  const inWorkflow = env['GITHUB_ACTIONS'] === 'true' || Boolean(env['GITHUB_EVENT_NAME'])
  const ctx = inWorkflow ? await fromWorkflow(env, opts) : await fromLocalGit(env, opts)
  await fillFromApi(ctx, env, opts)
  return ctx
}

async function fromWorkflow(env: NodeJS.ProcessEnv, opts: ContextOptions): Promise<GitContext> {
  const notes: string[] = []
  let payload: Record<string, unknown> = {}
  const eventPath = env['GITHUB_EVENT_PATH']
  if (eventPath) {
    try {
      const parsed: unknown = JSON.parse(await readFile(eventPath, 'utf8'))
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        payload = parsed as Record<string, unknown>
      else notes.push(`event payload ${eventPath} is not a JSON object; ignored`)
    } catch (e) {
      notes.push(`cannot read the event payload ${eventPath}: ${(e as Error).message}`)
    }
  }
  const ctx: GitContext = {
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    sha: env['GITHUB_SHA'] ?? '',
    ref: env['GITHUB_REF'] ?? '',
    payload,
    source: 'workflow',
    notes
  }
  const repository: RepositoryInfo = repositoryFromPayload(payload)
  const fullName = repository.fullName ?? env['GITHUB_REPOSITORY']
  if (fullName) {
    repository.fullName = fullName
    repository.name ??= fullName.split('/').pop()
    const server = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '')
    repository.htmlUrl ??= `${server}/${fullName}`
  }
  ctx.repository = repository
  if (repository.defaultBranch) ctx.defaultBranch = repository.defaultBranch

  const fromPayload = ctx.sha ? commitDateFromPayload(payload, ctx.sha) : undefined
  if (fromPayload) ctx.commitDate = fromPayload
  else {
    // A checkout of the same commit answers without the network.
    const dir = env['GITHUB_WORKSPACE'] || opts.cwd
    if (dir && ctx.sha) {
      const date = await git(dir, ['show', '-s', '--format=%cI', ctx.sha])
      if (date) {
        ctx.commitDate = new Date(date)
        notes.push('commit date read from the local checkout')
      }
    }
  }
  return ctx
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, {
      cwd,
      timeout: 10_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }
    })
    const out = stdout.trim()
    return out.length > 0 ? out : undefined
  } catch {
    return undefined
  }
}

/** `git@github.com:o/r.git`, `https://host/o/r(.git)`, `ssh://git@host/o/r` -> https URL and o/r. */
export function parseRemoteUrl(url: string): { htmlUrl: string; fullName: string } | undefined {
  const trimmed = url.trim()
  let host: string | undefined
  let path: string | undefined
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(trimmed)
  if (/^[a-z+]+:\/\//i.test(trimmed)) {
    try {
      const u = new URL(trimmed)
      if (u.protocol === 'file:') return undefined
      host = u.hostname + (u.port && u.protocol.startsWith('http') ? `:${u.port}` : '')
      path = u.pathname
    } catch {
      return undefined
    }
  } else if (scp) {
    host = scp[1]
    path = scp[2]
  }
  if (!host || !path) return undefined
  const clean = path
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
  if (!clean.includes('/')) return undefined
  return { htmlUrl: `https://${host}/${clean}`, fullName: clean }
}

async function fromLocalGit(env: NodeJS.ProcessEnv, opts: ContextOptions): Promise<GitContext> {
  const cwd = opts.cwd ?? process.cwd()
  const notes: string[] = []
  const sha = await git(cwd, ['rev-parse', 'HEAD'])
  if (!sha) {
    return {
      eventName: env['GITHUB_EVENT_NAME'] || 'push',
      sha: '',
      ref: '',
      payload: {},
      source: 'none',
      notes: [`${cwd} is not a git repository with a commit: no branch, tag or SHA available`]
    }
  }
  let ref = await git(cwd, ['symbolic-ref', '-q', 'HEAD'])
  if (!ref) {
    // Detached HEAD (a checked-out tag, or CI): a tag at HEAD first, the highest version if several.
    const tags = await git(cwd, ['tag', '--points-at', 'HEAD', '--sort=-v:refname'])
    const first = tags?.split('\n')[0]
    if (first) ref = `refs/tags/${first}`
    else {
      const decorations = await git(cwd, ['show', '-s', '--format=%D', 'HEAD'])
      const remoteBranch = decorations
        ?.split(', ')
        .map((d) => d.trim())
        .find((d) => /^[^/\s]+\/.+/.test(d) && !d.startsWith('tag:') && !d.endsWith('/HEAD'))
      if (remoteBranch) ref = `refs/heads/${remoteBranch.replace(/^[^/]+\//, '')}`
      else notes.push('detached HEAD with no tag or branch: no ref')
    }
  }
  const ctx: GitContext = {
    eventName: env['GITHUB_EVENT_NAME'] || 'push',
    sha,
    ref: ref ?? '',
    payload: {},
    source: 'git',
    notes
  }
  const date = await git(cwd, ['show', '-s', '--format=%cI', sha])
  if (date) ctx.commitDate = new Date(date)
  const repository: RepositoryInfo = {}
  const remote = await git(cwd, ['remote', 'get-url', 'origin'])
  const parsed = remote ? parseRemoteUrl(remote) : undefined
  if (parsed) {
    repository.fullName = parsed.fullName
    repository.htmlUrl = parsed.htmlUrl
    repository.name = parsed.fullName.split('/').pop()!
  } else {
    const top = await git(cwd, ['rev-parse', '--show-toplevel'])
    if (top) repository.name = top.split(/[\\/]/).pop()!
  }
  const originHead = await git(cwd, ['symbolic-ref', '-q', 'refs/remotes/origin/HEAD'])
  if (originHead) {
    repository.defaultBranch = originHead.replace(/^refs\/remotes\/origin\//, '')
    ctx.defaultBranch = repository.defaultBranch
  }
  ctx.repository = repository
  return ctx
}

interface FetchJson {
  (url: string, token: string, timeoutMs: number): Promise<unknown>
}

const fetchJson: FetchJson = async (url, token, timeoutMs) => {
  const res = await fetch(url, {
    headers: {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${token}`,
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'ml-docker-action'
    },
    signal: AbortSignal.timeout(timeoutMs)
  })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  return res.json()
}

function apiBase(env: NodeJS.ProcessEnv, htmlUrl: string | undefined): string | undefined {
  if (env['GITHUB_API_URL']) return env['GITHUB_API_URL'].replace(/\/+$/, '')
  if (!htmlUrl || htmlUrl.startsWith('https://github.com/')) return 'https://api.github.com'
  return undefined // another host: no guess at its API
}

/** Fills repository data and the commit date from the GitHub API when they are missing. */
async function fillFromApi(
  ctx: GitContext,
  env: NodeJS.ProcessEnv,
  opts: ContextOptions
): Promise<void> {
  const token = opts.token ?? env['GITHUB_TOKEN']
  const repo = ctx.repository ?? {}
  const fullName = repo.fullName
  // A workflow payload with a repository object is complete (a null description is data, not a gap).
  const payloadHasRepo =
    typeof ctx.payload['repository'] === 'object' && ctx.payload['repository'] !== null
  const needRepo = ctx.source === 'workflow' ? !payloadHasRepo : ctx.source === 'git'
  const needDate = ctx.commitDate === undefined && ctx.sha !== ''
  if (!needRepo && !needDate) return
  if (!token || !fullName) {
    if (needDate && ctx.source !== 'none')
      ctx.notes?.push('commit date unknown (no payload data, checkout or token)')
    return
  }
  const base = apiBase(env, repo.htmlUrl)
  if (!base) return
  const timeout = opts.apiTimeoutMs ?? 5000
  if (needRepo) {
    try {
      const data = (await fetchJson(`${base}/repos/${fullName}`, token, timeout)) as Record<
        string,
        unknown
      >
      const api = repositoryFromPayload({ repository: data })
      ctx.repository = { ...api, ...definedOnly(repo) }
      ctx.defaultBranch ??= ctx.repository.defaultBranch
      ctx.notes?.push('repository data read from the GitHub API')
    } catch (e) {
      ctx.notes?.push(
        `GitHub API unavailable for repository data (${(e as Error).message}); continuing without it`
      )
    }
  }
  if (needDate) {
    try {
      const data = (await fetchJson(
        `${base}/repos/${fullName}/commits/${ctx.sha}`,
        token,
        timeout
      )) as {
        commit?: { committer?: { date?: string } }
      }
      const date = data.commit?.committer?.date
      if (date && !Number.isNaN(new Date(date).getTime())) {
        ctx.commitDate = new Date(date)
        ctx.notes?.push('commit date read from the GitHub API')
      }
    } catch (e) {
      ctx.notes?.push(
        `GitHub API unavailable for the commit date (${(e as Error).message}); using the current time`
      )
    }
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
