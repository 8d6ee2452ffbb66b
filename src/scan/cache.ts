import * as actionsCache from '@actions/cache'
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from '../log.js'
import { dbCacheKeys } from './db.js'

/**
 * The Actions cache of the vulnerability DB (and of the Java DB when Trivy fetched one): restored
 * before the DB policy runs, saved once per day's key after the scan. Only inside GitHub Actions;
 * the CLI keeps the DB in its per-user cache directory. A cache failure is never a scan failure.
 */
export interface DbCacheState {
  kind: 'db' | 'java-db'
  dir: string
  key: string
  restoredKey?: string
}

export function actionsCacheAvailable(): boolean {
  return actionsCache.isFeatureAvailable()
}

export async function restoreDbCache(
  cacheDir: string,
  now: Date,
  log: Logger
): Promise<DbCacheState[]> {
  const states: DbCacheState[] = []
  for (const kind of ['db', 'java-db'] as const) {
    const { key, restoreKeys } = dbCacheKeys(kind, now)
    const dir = path.join(cacheDir, kind)
    const state: DbCacheState = { kind, dir, key }
    try {
      state.restoredKey = await actionsCache.restoreCache([dir], key, restoreKeys)
      if (state.restoredKey)
        log.info(`restored the ${kind} from the Actions cache (${state.restoredKey})`)
    } catch (e) {
      log.warning(`Actions cache: restoring the ${kind} failed: ${(e as Error).message}`)
    }
    states.push(state)
  }
  return states
}

/** Saves each DB present under today's key unless that key was the one restored. */
export async function saveDbCache(states: DbCacheState[], log: Logger): Promise<string[]> {
  const saved: string[] = []
  for (const s of states) {
    if (s.restoredKey === s.key || !existsSync(s.dir)) continue
    try {
      const id = await actionsCache.saveCache([s.dir], s.key)
      if (id !== -1) {
        saved.push(s.key)
        log.info(`saved the ${s.kind} to the Actions cache (${s.key})`)
      }
    } catch (e) {
      // Another job of the same day may have saved the key first: that copy is as good.
      log.warning(`Actions cache: saving the ${s.kind} failed: ${(e as Error).message}`)
    }
  }
  return saved
}
