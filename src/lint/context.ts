/**
 * Build-context audit: which files `docker build` would send, with Docker's own .dockerignore
 * matcher (@balena/dockerignore is a port of moby's fileutils: patterns anchored at the
 * context root, `*` not crossing `/`, `**`, `!` re-includes, last match wins), including
 * BuildKit's `<Dockerfile>.dockerignore` next to the Dockerfile.
 */
import * as dockerignoreModule from '@balena/dockerignore'
import { existsSync, readFileSync } from 'node:fs'
import { lstat, readdir, readFile } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import type { ContextAudit, VirtualContext } from './types.js'

type IgnoreMatcher = { add(patterns: string[]): IgnoreMatcher; ignores(path: string): boolean }
/** The package is CommonJS (`module.exports = factory`); its typings declare a default export. */
const dockerignore = ((dockerignoreModule as unknown as { default?: unknown }).default ??
  dockerignoreModule) as (options?: { ignorecase?: boolean }) => IgnoreMatcher

export interface ContextFile {
  path: string
  size: number
  content?: string
}

export interface BuildContext {
  files: ContextFile[]
  /** effective patterns of the ignore file (comments and blank lines removed) */
  patterns: string[]
  /** an ignore file with at least one effective pattern exists */
  hasIgnoreFile: boolean
  ignoreFileName: string | undefined
  isExcluded(path: string): boolean
  /** files not excluded */
  included: ContextFile[]
  byPath: Map<string, ContextFile>
}

export function effectivePatterns(text: string | undefined): string[] {
  if (text === undefined) return []
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/**
 * Patterns Docker would reject (an unterminated `[` class) are left out instead of throwing;
 * `docker build` itself fails on them, which is not the linter's to report.
 */
export function validPatterns(patterns: string[]): string[] {
  return patterns.filter((p) => {
    try {
      dockerignore().add([p]).ignores('probe/path')
      return true
    } catch {
      return false
    }
  })
}

export function buildContext(v: VirtualContext): BuildContext {
  const patterns = validPatterns(effectivePatterns(v.dockerignore))
  const matcher = dockerignore().add(patterns)
  const isExcluded = (path: string): boolean =>
    patterns.length > 0 && matcher.ignores(normalize(path))
  const files = v.files.map((f) => ({ ...f, path: normalize(f.path) }))
  return {
    files,
    patterns,
    hasIgnoreFile: patterns.length > 0,
    ignoreFileName:
      v.dockerignore !== undefined ? (v.dockerignoreName ?? '.dockerignore') : undefined,
    isExcluded,
    included: files.filter((f) => !isExcluded(f.path)),
    byPath: new Map(files.map((f) => [f.path, f]))
  }
}

export function normalize(path: string): string {
  let p = path.replace(/\\/g, '/')
  while (p.startsWith('./')) p = p.slice(2)
  p = p
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/')
  return p === '' ? '.' : p
}

/** Small text files whose content the rules read (requirements, lock manifests). */
const CONTENT_RE =
  /^(requirements[^/]*\.(txt|in)|constraints[^/]*\.txt|[^/]*requirements\.txt|pyproject\.toml|environment\.ya?ml)$/i
const CONTENT_LIMIT = 512 * 1024
const MAX_FILES = 200_000

/** The ignore file BuildKit uses for this Dockerfile and context. */
export function findIgnoreFile(dockerfile: string, root: string): string | undefined {
  const specific = `${resolve(dockerfile)}.dockerignore`
  if (existsSync(specific)) return specific
  const general = join(root, '.dockerignore')
  return existsSync(general) ? general : undefined
}

export async function readContext(
  root: string,
  dockerfile: string
): Promise<{ context: VirtualContext; audit: ContextAudit; truncated: boolean }> {
  const ignoreFile = findIgnoreFile(dockerfile, root)
  const ignoreText = ignoreFile ? readFileSync(ignoreFile, 'utf8') : undefined
  const patterns = validPatterns(effectivePatterns(ignoreText))
  const matcher = dockerignore().add(patterns)
  // Without `!` re-includes an excluded directory can be skipped whole, as Docker does.
  const canSkipDirs = !patterns.some((p) => p.startsWith('!'))
  const files: ContextFile[] = []
  let truncated = false
  const walk = async (dir: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (files.length >= MAX_FILES) {
        truncated = true
        return
      }
      const abs = join(dir, e.name)
      const rel = relative(root, abs).split(sep).join('/')
      if (e.isDirectory()) {
        if (canSkipDirs && patterns.length > 0 && matcher.ignores(rel)) {
          files.push({ path: rel + '/', size: 0 })
          continue
        }
        await walk(abs)
      } else {
        let size: number
        try {
          size = e.isSymbolicLink() ? 0 : (await lstat(abs)).size
        } catch {
          continue
        }
        const file: ContextFile = { path: rel, size }
        if (size <= CONTENT_LIMIT && CONTENT_RE.test(e.name)) {
          try {
            file.content = await readFile(abs, 'utf8')
          } catch {
            /* unreadable: content unknown */
          }
        }
        files.push(file)
      }
    }
  }
  await walk(root)
  // A skipped directory is recorded as `dir/` so rules still know it exists (and that it is excluded).
  const context: VirtualContext = {
    files,
    dockerignore: ignoreText,
    dockerignoreName: ignoreFile ? relative(root, ignoreFile) || basename(ignoreFile) : undefined
  }
  return { context, audit: auditOf(root, buildContext(context), ignoreFile), truncated }
}

export function auditOf(root: string, ctx: BuildContext, ignoreFile?: string): ContextAudit {
  const included = ctx.included.filter((f) => !f.path.endsWith('/'))
  const largest = [...included]
    .sort((a, b) => b.size - a.size || a.path.localeCompare(b.path))
    .slice(0, 10)
    .map((f) => ({ path: f.path, bytes: f.size }))
  return {
    root,
    fileCount: included.length,
    totalBytes: included.reduce((n, f) => n + f.size, 0),
    largest,
    ...(ignoreFile ? { dockerignore: ignoreFile } : {})
  }
}

export function contextRootFor(dockerfile: string, context?: string): string {
  return resolve(context ?? dirname(resolve(dockerfile)))
}
