import Handlebars from 'handlebars'
import moment from 'moment-timezone'
import { UserError } from '../errors.js'

/** What the global expressions ({{branch}}, {{sha}}, ...) are computed from. */
export interface ExpressionContext {
  eventName: string
  ref: string
  shortSha: string
  payload: Record<string, unknown>
  defaultBranch?: string
  now: Date
  commitDate: Date
}

type HelperOptions = { hash: Record<string, unknown> }

// An isolated instance: nothing registered globally can leak into or out of tag templates.
const hb = Handlebars.create()

/**
 * Renders a template. Output is not HTML-escaped: a tag is not HTML, and escaping would turn a
 * branch like `a&b` into `a-amp-b` instead of `a-b`.
 */
export function render(template: string, data: object, where: string): string {
  try {
    return hb.compile(template, { noEscape: true })(data)
  } catch (e) {
    if (e instanceof UserError) throw e
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e)
    throw new UserError(`tags: cannot evaluate "${template}" in ${where}: ${reason}`)
  }
}

function formatDate(
  date: Date,
  format: unknown,
  options: HelperOptions | undefined,
  helper: string
): string {
  if (typeof format !== 'string') {
    throw new UserError(`{{${helper}}} needs a format, for example {{${helper} 'YYYYMMDD'}}.`)
  }
  let tz = 'UTC'
  for (const [key, value] of Object.entries(options?.hash ?? {})) {
    if (key !== 'tz')
      throw new UserError(`{{${helper}}}: unknown attribute "${key}" (only tz= is supported).`)
    tz = String(value)
  }
  if (!moment.tz.zone(tz)) {
    throw new UserError(
      `{{${helper}}}: unknown time zone "${tz}"; use an IANA name such as Europe/Paris.`
    )
  }
  return moment(date).tz(tz).format(format)
}

/**
 * The {{date 'FORMAT' tz='Zone'}} and {{commit_date 'FORMAT' tz='Zone'}} helpers alone: what a
 * schedule pattern can use, as in the reference.
 */
export function dateHelpers(ctx: Pick<ExpressionContext, 'now' | 'commitDate'>): object {
  // `{{date}}` and `{{date 'FORMAT'}}`: Handlebars passes its options object last.
  const helper = (when: () => Date, name: string) => (format: unknown, options?: HelperOptions) =>
    formatDate(
      when(),
      options === undefined ? undefined : format,
      options ?? (format as HelperOptions),
      name
    )
  return {
    date: helper(() => ctx.now, 'date'),
    // read when the pattern uses it, so the missing-commit-date warning stays honest
    commit_date: helper(() => ctx.commitDate, 'commit_date')
  }
}

const stripHeads = (ref: string): string => ref.replace(/^refs\/heads\//, '')

function getString(obj: unknown, ...path: string[]): string | undefined {
  let cur: unknown = obj
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[p]
  }
  return typeof cur === 'string' ? cur : undefined
}

/** Events that always run on the last commit of the default branch (as the reference treats them). */
const DEFAULT_BRANCH_EVENTS = /create|discussion|issues|schedule/

export function isDefaultBranch(
  ctx: Pick<ExpressionContext, 'eventName' | 'ref' | 'payload' | 'defaultBranch'>
): boolean {
  const branch = stripHeads(ctx.ref)
  if (branch.length === 0) return false
  const defaultBranch = getString(ctx.payload, 'repository', 'default_branch') ?? ctx.defaultBranch
  if (defaultBranch !== undefined && defaultBranch === branch) return true
  return DEFAULT_BRANCH_EVENTS.test(ctx.eventName)
}

/**
 * The expressions available in the prefix, suffix, value and enable attributes of every rule
 * (and in flavor prefix/suffix), with the reference's semantics.
 */
export function globalExpressions(ctx: ExpressionContext): object {
  return {
    branch: () => (/^refs\/heads\//.test(ctx.ref) ? stripHeads(ctx.ref) : ''),
    tag: () => (/^refs\/tags\//.test(ctx.ref) ? ctx.ref.replace(/^refs\/tags\//, '') : ''),
    sha: () => ctx.shortSha,
    base_ref: () => {
      const pushBase = getString(ctx.payload, 'base_ref')
      if (/^refs\/tags\//.test(ctx.ref) && pushBase !== undefined) return stripHeads(pushBase)
      const prBase = getString(ctx.payload, 'pull_request', 'base', 'ref')
      if (/^refs\/pull\//.test(ctx.ref) && prBase !== undefined) return prBase
      return ''
    },
    is_default_branch: () => String(isDefaultBranch(ctx)),
    is_not_default_branch: () => String(!isDefaultBranch(ctx)),
    ...dateHelpers(ctx)
  }
}
