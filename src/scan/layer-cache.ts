import * as actionsCache from '@actions/cache'
import { randomBytes } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import type { Logger } from '../log.js'

/**
 * Trivy's analysis cache, kept between runs: `fanal/fanal.db` in the cache directory holds what
 * Trivy found in each layer (packages, secrets), keyed by the layer's diff id and the analyzers'
 * versions, so an unchanged multi-GB CUDA base is not unpacked and analysed again by every run.
 * Vulnerabilities are still matched against the current DB on every scan.
 *
 * Trivy opens that file exclusively and gives up after 5 s when another process holds it, so a
 * scan never works on the shared file: it gets a private cache directory (the DBs linked in, a copy
 * of fanal.db) and publishes its copy back with an atomic rename once the scan succeeded. Scans
 * running at the same time each finish; the last one's entries win.
 */
export const LAYER_CACHE_FILE = path.join('fanal', 'fanal.db')

const DB_DIRS = ['db', 'java-db']

/** A cache grown past this is dropped and rebuilt rather than copied into every scan. */
export const LAYER_CACHE_MAX_BYTES = 1024 * 1024 * 1024

export interface LayerCache {
  /** The `--cache-dir` for this scan's Trivy runs. */
  dir: string
  /** Bytes of analysis carried over from earlier runs (0: none). */
  carriedBytes: number
  /**
   * Publishes this scan's analyses for the next run when it analysed layers the cache did not
   * know (`layers`: the image's diff ids, keyed with Trivy's version, whose analyzers key the
   * cache); returns the cache's size, or 0 when there was nothing new.
   */
  commit(layers: string[]): Promise<number>
  /** Removes the private directory. */
  close(): Promise<void>
}

/**
 * Beside fanal.db, the layers it holds analyses of. Trivy rewrites fanal.db on every scan (a
 * fully cached one included), so this list, not the file, says whether a scan added anything.
 */
export const LAYER_LIST_FILE = path.join('fanal', 'ml-docker-layers.json')

async function readList(file: string): Promise<string[]> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as unknown
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}

/** Writes `data` to `file` through a temporary file and a rename: readers see old or new, never half. */
async function replaceFile(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${randomBytes(4).toString('hex')}`
  await write(tmp)
  await fs.rename(tmp, file)
}

export async function openLayerCache(
  cacheDir: string,
  workDir: string,
  log: Logger,
  maxBytes = LAYER_CACHE_MAX_BYTES
): Promise<LayerCache> {
  const shared = path.join(cacheDir, LAYER_CACHE_FILE)
  await fs.mkdir(cacheDir, { recursive: true })
  const dir = await fs.mkdtemp(path.join(workDir, 'trivy-cache-'))
  // The DBs stay where the DB policy put them. A Java DB that Trivy downloads during the scan
  // lands in the private directory and is moved to the shared one when the scan is done.
  for (const kind of DB_DIRS) {
    if (existsSync(path.join(cacheDir, kind)))
      await fs.symlink(path.resolve(cacheDir, kind), path.join(dir, kind), 'dir')
  }
  const mine = path.join(dir, LAYER_CACHE_FILE)
  await fs.mkdir(path.dirname(mine), { recursive: true })
  let carriedBytes = 0
  try {
    const size = (await fs.stat(shared)).size
    if (size > maxBytes) {
      log.info(
        `layer analysis cache: ${shared} is ${size} bytes, over ${maxBytes}; starting a new one`
      )
    } else {
      await fs.copyFile(shared, mine)
      carriedBytes = size
    }
  } catch {
    // No cache yet.
  }
  const listFile = path.join(cacheDir, LAYER_LIST_FILE)
  const known = carriedBytes ? await readList(listFile) : []
  return {
    dir,
    carriedBytes,
    async commit(layers) {
      const fresh = layers.filter((l) => !known.includes(l))
      if (!existsSync(mine) || (layers.length > 0 && fresh.length === 0)) return 0
      await replaceFile(shared, (tmp) => fs.copyFile(mine, tmp))
      await replaceFile(listFile, (tmp) =>
        fs.writeFile(tmp, JSON.stringify([...new Set([...known, ...fresh])]))
      )
      return (await fs.stat(shared)).size
    },
    async close() {
      for (const kind of DB_DIRS) {
        const own = path.join(dir, kind)
        const target = path.join(cacheDir, kind)
        const st = await fs.lstat(own).catch(() => undefined)
        if (st?.isDirectory() && !existsSync(target))
          await fs.rename(own, target).catch(() => undefined)
      }
      await fs.rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * In GitHub Actions the cache directory does not outlive the runner: the layer cache travels in
 * the Actions cache under a key per run, and a run restores the newest one of its platform.
 */
export function layerCacheKeys(
  env: NodeJS.ProcessEnv,
  platform = `${process.platform}-${process.arch}`
): { key: string; restoreKeys: string[] } {
  const prefix = `ml-docker-trivy-layers-v1-${platform}-`
  return {
    key: `${prefix}${env.GITHUB_RUN_ID ?? Date.now()}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`,
    restoreKeys: [prefix]
  }
}

export async function restoreLayerCache(
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: Logger
): Promise<string | undefined> {
  const { key, restoreKeys } = layerCacheKeys(env)
  try {
    const hit = await actionsCache.restoreCache([path.join(cacheDir, 'fanal')], key, restoreKeys)
    if (hit) log.info(`restored the layer analysis cache from the Actions cache (${hit})`)
    return hit
  } catch (e) {
    log.warning(`Actions cache: restoring the layer analysis cache failed: ${(e as Error).message}`)
    return undefined
  }
}

export async function saveLayerCache(
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: Logger
): Promise<string | undefined> {
  const { key } = layerCacheKeys(env)
  try {
    const id = await actionsCache.saveCache([path.join(cacheDir, 'fanal')], key)
    if (id === -1) return undefined
    log.info(`saved the layer analysis cache to the Actions cache (${key})`)
    return key
  } catch (e) {
    log.warning(`Actions cache: saving the layer analysis cache failed: ${(e as Error).message}`)
    return undefined
  }
}
