import type { PushMode } from './config.js'
import { UserError } from './errors.js'

/** Events that build code nobody has merged yet: gate them, never publish from them. */
export const UNTRUSTED_EVENTS = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'merge_group'
]
/** Events on which `push: auto` publishes. */
export const PUBLISHING_EVENTS = [
  'push',
  'release',
  'workflow_dispatch',
  'schedule',
  'create',
  'repository_dispatch'
]

export interface PushDecision {
  push: boolean
  reason: string
}

/**
 * The push policy, in one place. `eventName` is empty outside GitHub Actions (a local CLI run),
 * where `auto` never pushes.
 */
export function decidePush(mode: PushMode, eventName: string): PushDecision {
  if (UNTRUSTED_EVENTS.includes(eventName)) {
    if (mode === 'true') {
      throw new UserError(
        `push: true on a ${eventName} event: pull request builds are linted, built, smoke-tested and ` +
          'scanned but never pushed. Use push: auto (the default) so the same step pushes on branch and tag pushes.'
      )
    }
    return { push: false, reason: `${eventName} events are never pushed` }
  }
  if (mode === 'true') return { push: true, reason: 'push: true' }
  if (mode === 'false') return { push: false, reason: 'push: false' }
  if (!eventName)
    return {
      push: false,
      reason: 'local run (push: auto pushes only from GitHub push/release events; use --push)'
    }
  if (PUBLISHING_EVENTS.includes(eventName))
    return { push: true, reason: `push: auto on a ${eventName} event` }
  return { push: false, reason: `push: auto does not push on ${eventName} events` }
}
