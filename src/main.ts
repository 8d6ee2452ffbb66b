import * as core from '@actions/core'
import { cleanup } from './cleanup.js'
import { envInputSource, parseConfig } from './config.js'
import { isUserError } from './errors.js'
import { ActionsLogger } from './log.js'
import { runPipeline, type CleanupState } from './pipeline.js'
import { summaryMarkdown } from './report/summary.js'

const STATE_KEY = 'cleanup'

/** The action's main step: parse inputs once, run the pipeline, publish outputs and the summary. */
export async function main(): Promise<void> {
  const log = new ActionsLogger()
  try {
    const cfg = parseConfig(envInputSource(), {
      cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
      setSecret: (v) => log.secret(v)
    })
    const result = await runPipeline(cfg, {
      log,
      cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
      saveCleanup: (state) => core.saveState(STATE_KEY, JSON.stringify(state))
    })
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value)
    if (cfg.summary && process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(log.redact(summaryMarkdown(result))).write()
    }
    if (!result.ok) core.setFailed(log.redact(result.error ?? `failed at ${result.failedStage}`))
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    if (!isUserError(e) && e instanceof Error && e.stack) core.debug(e.stack)
    core.setFailed(log.redact(message))
  }
}

/** The post step: remove the smoke container, the builder we created and the credentials. */
export async function post(): Promise<void> {
  const log = new ActionsLogger()
  const raw = core.getState(STATE_KEY)
  if (!raw) return
  try {
    await cleanup(JSON.parse(raw) as CleanupState, log)
  } catch (e) {
    core.warning(`cleanup: ${e instanceof Error ? e.message : String(e)}`)
  }
}
