import type { Config } from '../config.js'
import { repositoryOf } from '../reference.js'

export interface CachePlan {
  ref: string
  from: string[]
  to: string[]
  /** Why the cache is read-only or off, for the log and summary. */
  note: string
}

/**
 * `auto` keeps the cache next to the image (`<first image>:buildcache`); it is read on every
 * run and written only by runs that push, since only those are logged in and trusted.
 */
export function planCache(cfg: Config['cache'], images: string[], pushing: boolean): CachePlan {
  if (cfg.mode === 'off') return { ref: '', from: [], to: [], note: 'cache: off' }
  const ref =
    cfg.mode === 'explicit' ? cfg.ref : images[0] ? `${repositoryOf(images[0])}:buildcache` : ''
  if (!ref)
    return { ref: '', from: [], to: [], note: 'no image name to derive a cache reference from' }
  const from = [`type=registry,ref=${ref}`]
  if (!pushing) return { ref, from, to: [], note: 'cache read-only (this run does not push)' }
  return {
    ref,
    from,
    to: [`type=registry,ref=${ref},mode=${cfg.exportMode},image-manifest=true,oci-mediatypes=true`],
    note: `cache read and written (mode=${cfg.exportMode})`
  }
}
