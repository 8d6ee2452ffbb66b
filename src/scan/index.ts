import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.js'
import { lastLines } from '../docker.js'
import { run } from '../exec.js'
import type { Logger } from '../log.js'
import { resolveTrivy } from './install.js'
import { summarize, type ScanSummary, type TrivyReport } from './report.js'

export interface ScanResult extends ScanSummary {
  passed: boolean
  reportPath: string
  sarifPath: string
  trivy: string
  seconds: number
}

/**
 * What Trivy reads: the OCI layout the build wrote (`dir@digest`, no `docker save` copy of a
 * multi-GB image), or an image in the local daemon.
 */
export type ScanTarget = { layout: string; digest: string } | { image: string }

/** The argv after `trivy`. Pure, so each flag is unit-tested. */
export function trivyArgv(cfg: Config['scan'], target: ScanTarget, reportPath: string): string[] {
  const argv = ['image', '--format', 'json', '--output', reportPath]
  argv.push('--scanners', 'vuln,secret')
  if ('image' in target) argv.push('--image-src', 'docker')
  argv.push('--skip-version-check', '--disable-telemetry', '--no-progress', '--timeout', '15m')
  // Small report: every finding, not every package.
  argv.push('--list-all-pkgs=false')
  if (cfg.cacheDir) argv.push('--cache-dir', cfg.cacheDir)
  if (cfg.skipDbUpdate)
    argv.push('--skip-db-update', '--skip-java-db-update', '--skip-check-update')
  if (cfg.dbRepository.length) argv.push('--db-repository', cfg.dbRepository.join(','))
  if ('image' in target) argv.push(target.image)
  else argv.push('--input', `${target.layout}@${target.digest}`)
  return argv
}

export async function scan(
  cfg: Config['scan'],
  target: ScanTarget,
  outDir: string,
  log: Logger
): Promise<ScanResult> {
  const trivy = await resolveTrivy(log, { version: cfg.trivyVersion })
  await fs.mkdir(outDir, { recursive: true })
  const reportPath = path.join(outDir, 'trivy-report.json')
  const sarifPath = path.join(outDir, 'trivy-report.sarif')
  const started = Date.now()
  const res = await run(log, trivy, trivyArgv(cfg, target, reportPath), { stream: true })
  if (res.code !== 0) {
    throw new Error(
      `Trivy failed (exit ${res.code}); the image was not scanned:\n${lastLines(res.output, 10)}`
    )
  }
  const report = JSON.parse(await fs.readFile(reportPath, 'utf8')) as TrivyReport
  const conv = await run(
    log,
    trivy,
    ['convert', '--format', 'sarif', '--output', sarifPath, reportPath],
    { quiet: true }
  )
  if (conv.code !== 0) log.warning(`trivy convert to SARIF failed: ${lastLines(conv.output, 3)}`)
  const summary = summarize(report, cfg.severities, cfg.ignoreUnfixed)
  return {
    ...summary,
    passed: summary.failing.length === 0,
    reportPath,
    sarifPath: conv.code === 0 ? sarifPath : '',
    trivy,
    seconds: (Date.now() - started) / 1000
  }
}
