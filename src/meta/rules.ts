import { UserError } from '../errors.js'
import { DEFAULT_PRIORITIES, REFERENCE_DEFAULT_TAGS, TAG_TYPES, type TagType } from './defaults.js'
import { csvFields, inputLines, keyValue } from './parse.js'

export type RefEvent = 'branch' | 'tag' | 'pr'
export type ShaFormat = 'short' | 'long'

/** One line of the `tags` input, parsed and completed with the reference's defaults. */
export interface TagRule {
  type: TagType
  /** Attributes as written, plus the defaults the reference fills in (prefix `pr-`, `sha-`, ...). */
  attrs: Record<string, string>
  priority: number
  /** The line as the user wrote it, for messages. */
  source: string
}

const GLOBAL_ATTRIBUTES = ['type', 'enable', 'priority', 'prefix', 'suffix']

const TYPE_ATTRIBUTES: Record<TagType, string[]> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format']
}

const REF_EVENTS: RefEvent[] = ['branch', 'tag', 'pr']
const SHA_FORMATS: ShaFormat[] = ['short', 'long']

/**
 * Parses the `tags` input. Empty (or only comments) means the reference's default rule set. Rules
 * are returned by descending priority; equal priorities keep their written order.
 */
export function parseTagRules(input: string): TagRule[] {
  let lines = inputLines(input)
  if (lines.length === 0) lines = [...REFERENCE_DEFAULT_TAGS]
  const rules = lines.map(parseTagRule)
  // Array.prototype.sort is stable: rules of equal priority stay in the order they were written.
  return rules.sort((a, b) => b.priority - a.priority)
}

/** `match=` on semver/pep440 is a regular expression whose first capture group is the version. */
function checkVersionMatch(match: string, line: string): void {
  let groups: number
  try {
    groups = new RegExp(`${match}|`).exec('')!.length - 1
  } catch (e) {
    throw new UserError(
      `tags: match is not a valid regular expression in "${line}": ${(e as Error).message}`
    )
  }
  if (groups < 1) {
    throw new UserError(
      `tags: match needs a capture group around the version in "${line}", for example "match=v(\\d+\\.\\d+\\.\\d+)$".`
    )
  }
}

export function parseTagRule(line: string): TagRule {
  const attrs: Record<string, string> = {}
  let type: TagType | undefined
  for (const field of csvFields(line, 'tags')) {
    const { key, value } = keyValue(field)
    if (key === undefined) {
      // A bare field is the rule's value: `latest` alone is `type=raw,value=latest`.
      attrs['value'] = value
    } else if (key === 'type') {
      if (!(TAG_TYPES as string[]).includes(value)) {
        throw new UserError(
          `tags: unknown type "${value}" in "${line}". Use one of: ${TAG_TYPES.join(', ')}.`
        )
      }
      type = value as TagType
    } else {
      attrs[key] = value
    }
  }
  type ??= 'raw'

  const allowed = [...GLOBAL_ATTRIBUTES, ...TYPE_ATTRIBUTES[type]]
  for (const key of Object.keys(attrs)) {
    if (!allowed.includes(key)) {
      const hint = key === 'value' ? ' (a field without "=" is read as value=)' : ''
      throw new UserError(
        `tags: attribute "${key}"${hint} is not used by type=${type} in "${line}". ` +
          `Attributes of type=${type}: ${allowed.filter((a) => a !== 'type').join(', ')}.`
      )
    }
  }

  const need = (name: string, example: string): void => {
    if (!Object.hasOwn(attrs, name)) {
      throw new UserError(
        `tags: type=${type} needs a ${name} attribute in "${line}", for example ${example}.`
      )
    }
  }

  switch (type) {
    case 'schedule':
      attrs['pattern'] ??= 'nightly'
      break
    case 'semver':
    case 'pep440':
      need('pattern', `type=${type},pattern={{version}}`)
      attrs['value'] ??= ''
      attrs['match'] ??= ''
      if (attrs['match'] !== '') checkVersionMatch(attrs['match'], line)
      break
    case 'match': {
      need('pattern', 'type=match,pattern=\\d.\\d.\\d')
      attrs['group'] ??= '0'
      if (!/^\d+$/.test(attrs['group'])) {
        throw new UserError(`tags: group must be a capture group number (0, 1, 2...) in "${line}".`)
      }
      attrs['value'] ??= ''
      break
    }
    case 'edge':
      attrs['branch'] ??= ''
      break
    case 'ref': {
      need('event', 'type=ref,event=branch')
      if (!(REF_EVENTS as string[]).includes(attrs['event'])) {
        throw new UserError(
          `tags: event "${attrs['event']}" is not one of ${REF_EVENTS.join(', ')} in "${line}".`
        )
      }
      if (attrs['event'] === 'pr' && !Object.hasOwn(attrs, 'prefix')) attrs['prefix'] = 'pr-'
      break
    }
    case 'raw':
      need('value', 'type=raw,value=latest')
      break
    case 'sha':
      attrs['prefix'] ??= 'sha-'
      attrs['format'] ??= 'short'
      if (!(SHA_FORMATS as string[]).includes(attrs['format'])) {
        throw new UserError(`tags: format "${attrs['format']}" is not short or long in "${line}".`)
      }
      break
  }

  attrs['enable'] ??= 'true'
  let priority: number = DEFAULT_PRIORITIES[type]
  if (Object.hasOwn(attrs, 'priority')) {
    const p = attrs['priority']
    if (p === '' || !Number.isFinite(Number(p))) {
      throw new UserError(`tags: priority must be a number in "${line}" (got "${p}").`)
    }
    priority = Number(p)
  } else {
    attrs['priority'] = String(priority)
  }
  return { type, attrs, priority, source: line }
}
