import { randomBytes } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { UserError } from '../errors.js'
import type { Logger } from '../log.js'

/**
 * The vulnerability DB policy: where the DB lives, when it is downloaded, which repositories are
 * tried (in order, with backoff on 429/5xx), and when a cached DB may stand in for a failed
 * download. Trivy itself never falls back to an old DB and never says which mirror it used, so
 * the download runs as its own `trivy image --download-db-only` per repository.
 */

/** Trivy's DB schema (trivy-db pkg/db.SchemaVersion); the OCI tag of the DB repositories. */
export const DB_SCHEMA = 2

/** Stands for "no --db-repository flag": Trivy's own default list, which it falls back along itself. */
export const TRIVY_DEFAULT_REPOSITORIES = ''

export function describeRepository(repo: string): string {
  return repo === TRIVY_DEFAULT_REPOSITORIES ? "Trivy's default repositories" : repo
}

/** db/metadata.json, as trivy-db writes it. */
export interface DbMetadata {
  version: number
  nextUpdate?: Date
  updatedAt?: Date
  downloadedAt?: Date
}

/** Written next to the DB when this project downloads it: which repository it came from. */
export const SOURCE_FILE = 'ml-docker-source.json'

export interface DbInfo {
  /** downloaded: fetched in this run; cached: fresh enough, no download; stale: every repository failed, cached DB used; offline: scan-skip-db-update. */
  source: 'downloaded' | 'cached' | 'stale' | 'offline'
  /** The repository the DB was downloaded from (in this run or when it was cached), if known; '' = Trivy's defaults. */
  repository?: string
  /** When the DB was built (metadata UpdatedAt). */
  updatedAt?: string
  ageHours?: number
  /** The Actions cache key the DB was restored from, if any. */
  restoredKey?: string
  /** Each repository tried in this run and why it failed. */
  failures: { repository: string; attempts: number; error: string }[]
}

function date(v: unknown): Date | undefined {
  if (typeof v !== 'string' || v.startsWith('0001-01-01')) return undefined
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? undefined : d
}

export async function readDbMetadata(cacheDir: string): Promise<DbMetadata | undefined> {
  const dir = path.join(cacheDir, 'db')
  if (!existsSync(path.join(dir, 'trivy.db'))) return undefined
  try {
    const raw = JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >
    return {
      version: typeof raw.Version === 'number' ? raw.Version : 0,
      nextUpdate: date(raw.NextUpdate),
      updatedAt: date(raw.UpdatedAt),
      downloadedAt: date(raw.DownloadedAt)
    }
  } catch {
    return undefined
  }
}

export async function readDbSource(cacheDir: string): Promise<string | undefined> {
  try {
    const raw = JSON.parse(await fs.readFile(path.join(cacheDir, 'db', SOURCE_FILE), 'utf8')) as {
      repository?: unknown
    }
    return typeof raw.repository === 'string' ? raw.repository : undefined
  } catch {
    return undefined
  }
}

/**
 * Trivy's own rule (pkg/db.Client.NeedsUpdate): download when there is no usable DB, or when
 * NextUpdate has passed and the last download is more than an hour old.
 */
export function needsDownload(meta: DbMetadata | undefined, now: Date): boolean {
  if (!meta || meta.version !== DB_SCHEMA || !meta.nextUpdate) return true
  if (now < meta.nextUpdate) return false
  if (meta.downloadedAt && now.getTime() - meta.downloadedAt.getTime() < 3600_000) return false
  return true
}

export function ageHours(meta: DbMetadata | undefined, now: Date): number | undefined {
  const t = meta?.updatedAt ?? meta?.downloadedAt
  return t ? Math.max(0, (now.getTime() - t.getTime()) / 3600_000) : undefined
}

export function formatAge(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} minutes`
  if (hours < 48) return `${Math.round(hours)} hours`
  return `${Math.round(hours / 24)} days`
}

/**
 * Whether a DB that was not refreshed in this run may be used: it must exist, have the schema
 * this Trivy reads, and be built no longer than maxAgeHours ago. Throws a UserError saying what to
 * change otherwise.
 */
export function checkUsable(
  meta: DbMetadata | undefined,
  now: Date,
  maxAgeHours: number,
  why: string
): number {
  if (!meta) {
    throw new UserError(
      `${why}, and there is no cached vulnerability DB to fall back on. Make a DB repository ` +
        'reachable (trivy-db-repository), or pre-seed trivy-cache-dir with a DB.'
    )
  }
  if (meta.version !== DB_SCHEMA) {
    throw new UserError(
      `${why}, and the cached vulnerability DB has schema ${meta.version}, not ${DB_SCHEMA}. ` +
        'Replace it with a current DB (trivy-cache-dir).'
    )
  }
  const age = ageHours(meta, now)
  if (age === undefined) {
    throw new UserError(
      `${why}, and the cached vulnerability DB has no build time in metadata.json. Replace it with a current DB.`
    )
  }
  if (age > maxAgeHours) {
    throw new UserError(
      `${why}, and the cached vulnerability DB is ${formatAge(age)} old, older than ` +
        `scan-db-max-age (${formatAge(maxAgeHours)}). Make a DB repository reachable, refresh the ` +
        'DB in trivy-cache-dir, or raise scan-db-max-age.'
    )
  }
  return age
}

/** Answers that are worth another try after a pause: rate limits and server errors. */
export function isTemporary(output: string): boolean {
  return /TOOMANYREQUESTS|Too Many Requests|\b429\b|\b50[0234]\b|Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error/i.test(
    output
  )
}

/** Adds the schema tag when a repository has neither tag nor digest (as Trivy does). */
export function withSchemaTag(repo: string): string {
  const last = repo.split('/').pop() ?? repo
  return repo.includes('@') || last.includes(':') ? repo : `${repo}:${DB_SCHEMA}`
}

export interface DownloadAttempt {
  /** Runs one download of `repository` into `cacheDir`; resolves with trivy's exit code and output. */
  (repository: string, cacheDir: string): Promise<{ code: number; output: string }>
}

export interface FetchOptions {
  repositories: string[]
  cacheDir: string
  download: DownloadAttempt
  log: Logger
  /** Tries per repository when the answer is temporary (429/5xx). */
  attempts?: number
  /** First pause in ms; doubled after every temporary failure. */
  backoffMs?: number
  sleep?: (ms: number) => Promise<void>
}

export interface FetchResult {
  repository?: string
  failures: DbInfo['failures']
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * The innermost cause in Trivy's error chain: the last `* cause` line, and of a `first; second`
 * pair (https tried, then http) the second.
 */
export function errorCause(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const causes = lines.filter((l) => l.startsWith('* ') && !/error occurred:$/.test(l))
  const pick =
    causes.pop() ?? lines.filter((l) => /FATAL|ERROR|error/.test(l)).pop() ?? lines.pop() ?? ''
  return (
    pick
      .replace(/^\*\s+/, '')
      .split('; ')
      .pop() ?? pick
  )
    .replace(/\s+/g, ' ')
    .slice(0, 300)
}

/**
 * Downloads the DB from the first repository that serves it, into a scratch directory that only
 * replaces `<cacheDir>/db` once complete: a failed or interrupted download never damages the
 * cached DB the fallback relies on.
 */
export async function fetchDb(opts: FetchOptions): Promise<FetchResult> {
  const attempts = opts.attempts ?? 3
  const sleep = opts.sleep ?? sleepMs
  const failures: FetchResult['failures'] = []
  await fs.mkdir(opts.cacheDir, { recursive: true })
  for (const repository of opts.repositories) {
    let pause = opts.backoffMs ?? 2000
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const scratch = path.join(opts.cacheDir, `.download-${randomBytes(4).toString('hex')}`)
      try {
        const res = await opts.download(repository, scratch)
        const complete =
          res.code === 0 &&
          existsSync(path.join(scratch, 'db', 'trivy.db')) &&
          existsSync(path.join(scratch, 'db', 'metadata.json'))
        if (complete) {
          await fs.writeFile(
            path.join(scratch, 'db', SOURCE_FILE),
            JSON.stringify({ repository, downloadedAt: new Date().toISOString() })
          )
          await replaceDir(path.join(scratch, 'db'), path.join(opts.cacheDir, 'db'))
          return { repository, failures }
        }
        const error =
          res.code === 0 ? 'trivy reported success but wrote no DB' : errorCause(res.output)
        const retry = res.code !== 0 && isTemporary(res.output) && attempt < attempts
        if (!retry) {
          failures.push({ repository, attempts: attempt, error })
          opts.log.warning(`vulnerability DB: ${describeRepository(repository)} failed: ${error}`)
          break
        }
        opts.log.info(
          `vulnerability DB: ${describeRepository(repository)} answered ${error}; retrying in ${pause / 1000}s`
        )
        await sleep(pause)
        pause *= 2
      } finally {
        await fs.rm(scratch, { recursive: true, force: true })
      }
    }
  }
  return { failures }
}

async function replaceDir(from: string, to: string): Promise<void> {
  const old = `${to}.old-${randomBytes(4).toString('hex')}`
  if (existsSync(to)) await fs.rename(to, old)
  await fs.rename(from, to)
  await fs.rm(old, { recursive: true, force: true })
}

/** The per-user cache of the CLI (and of the action when trivy-cache-dir is empty). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache')
  return path.join(base, 'ml-docker', 'trivy')
}

/** A daily Actions cache key; restore falls back to the newest older day. */
export function dbCacheKeys(
  kind: 'db' | 'java-db',
  now: Date
): { key: string; restoreKeys: string[] } {
  const prefix = kind === 'db' ? `ml-docker-trivy-db-${DB_SCHEMA}-` : 'ml-docker-trivy-java-db-1-'
  return { key: `${prefix}${now.toISOString().slice(0, 10)}`, restoreKeys: [prefix] }
}
