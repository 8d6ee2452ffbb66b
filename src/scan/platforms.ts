import { promises as fs } from 'node:fs'
import path from 'node:path'
import { platformView } from '../build/native.js'
import { platformManifests } from '../build/platforms.js'
import { SEVERITIES, type Config } from '../config.js'
import type { ManifestNode, OciLayout } from '../registry/layout.js'
import { scan, type ScanDeps, type ScanResult, type ScanTarget } from './index.js'
import type { ScanFinding } from './report.js'
import { scanDetail } from './summary.js'

/** One platform's scan of a multi-platform build. */
export interface PlatformScan {
  platform: string
  digest: string
  result: ScanResult
}

/** What was built, as the scan needs it: the layout, its root, and the platform that is smoke-tested. */
export interface BuiltLayout {
  layout: OciLayout
  manifest: ManifestNode
  /** The native platform of a multi-platform build. */
  nativePlatform?: string
}

function slug(platform: string): string {
  return platform.replace(/[^A-Za-z0-9]+/g, '-')
}

/** Every platform, the native one first: its reports take the single-platform paths (outputs). */
export function scanOrder<T extends { platform: string }>(items: T[], native?: string): T[] {
  return [
    ...items.filter((i) => i.platform === native),
    ...items.filter((i) => i.platform !== native)
  ]
}

function key(f: ScanFinding): string {
  return [f.kind, f.id, f.pkg ?? '', f.installed ?? '', f.target].join('\0')
}

/**
 * One result for the gate and the outputs: the native platform's report paths, the worst count
 * per severity over the platforms, every failing finding once, and passed only if all passed.
 */
export function combineScans(scans: PlatformScan[]): ScanResult {
  const [first] = scans
  if (scans.length === 1) return first.result
  const counts = { ...first.result.counts }
  for (const s of scans)
    for (const sev of SEVERITIES) counts[sev] = Math.max(counts[sev], s.result.counts[sev])
  const dedupe = (pick: (r: ScanResult) => ScanFinding[]): ScanFinding[] => [
    ...new Map(scans.flatMap((s) => pick(s.result)).map((f) => [key(f), f])).values()
  ]
  return {
    ...first.result,
    counts,
    findings: dedupe((r) => r.findings),
    failing: dedupe((r) => r.failing),
    passed: scans.every((s) => s.result.passed),
    seconds: scans.reduce((n, s) => n + s.result.seconds, 0)
  }
}

/** `linux/amd64: 0 critical, ...; linux/arm64: ...` for the stage detail and the log. */
export function platformScanDetail(scans: PlatformScan[]): string {
  return scans
    .map((s) => `${s.platform}: ${scanDetail(s.result)}${s.result.passed ? '' : ' (failed)'}`)
    .join('; ')
}

/**
 * Scans what the build wrote. A single-platform image is scanned as before (the layout at its
 * digest); a multi-platform index is scanned platform by platform, each through a view of the
 * layout that lists only that platform's manifest (Trivy resolves `--input <layout>@<digest>`
 * only against the layout's own index.json, and ignores `--platform` for a layout).
 */
export async function scanBuilt(
  cfg: Config['scan'],
  target: ScanTarget,
  built: BuiltLayout,
  deps: ScanDeps
): Promise<PlatformScan[]> {
  const root = built.manifest
  const platforms = platformManifests(root)
  if (platforms.length === 0 || built.nativePlatform === undefined) {
    const digest = root.descriptor.digest
    const result = await scan(cfg, { ...target, input: `${built.layout.dir}@${digest}` }, deps)
    return [{ platform: '', digest, result }]
  }
  const out: PlatformScan[] = []
  const views: string[] = []
  try {
    for (const p of scanOrder(platforms, built.nativePlatform)) {
      const view = path.join(deps.outDir, `oci-${slug(p.platform)}`)
      views.push(view)
      const input = await platformView(built.layout, p.node, view)
      const native = p.platform === built.nativePlatform
      deps.log.info(`scanning ${p.platform} (${p.node.descriptor.digest})`)
      const result = await scan(
        cfg,
        { ...target, input },
        {
          ...deps,
          outDir: native ? deps.outDir : path.join(deps.outDir, `scan-${slug(p.platform)}`)
        }
      )
      out.push({ platform: p.platform, digest: p.node.descriptor.digest, result })
    }
  } finally {
    for (const v of views) await fs.rm(v, { recursive: true, force: true }).catch(() => undefined)
  }
  return out
}
