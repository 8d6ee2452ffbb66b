import { createHash } from 'node:crypto'

const MAX_TAG_LENGTH = 128
const HASH_LENGTH = 7

export interface SanitizedTag {
  tag?: string
  /** Set when the tag differs from the reference's own sanitizing: why, for a warning. */
  changed?: string
}

/**
 * The reference's rule first (every run of characters outside [A-Za-z0-9._-] becomes "-"), then what
 * it leaves invalid: a leading "." or "-" is stripped, and a tag over 128 characters is cut and ends
 * with "-" + 7 hex characters of the SHA-256 of the whole tag, so two long tags that share a prefix
 * stay distinct and the same input always gives the same tag.
 */
export function sanitizeTag(value: string): SanitizedTag {
  const referenceForm = value.replace(/[^a-zA-Z0-9._-]+/g, '-')
  if (referenceForm.length === 0) return {}
  let tag = referenceForm.replace(/^[.-]+/, '')
  let changed: string | undefined
  if (tag !== referenceForm) {
    if (tag.length === 0)
      return {
        changed: `"${referenceForm}" has no character Docker allows at the start of a tag; it was dropped`
      }
    changed = `"${referenceForm}" cannot start with "${referenceForm[0]}"; it became "${tag}"`
  }
  if (tag.length > MAX_TAG_LENGTH) {
    const hash = createHash('sha256').update(tag).digest('hex').slice(0, HASH_LENGTH)
    const cut = `${tag.slice(0, MAX_TAG_LENGTH - HASH_LENGTH - 1)}-${hash}`
    changed = `"${tag.slice(0, 40)}..." is ${tag.length} characters (Docker allows ${MAX_TAG_LENGTH}); it became "${cut}"`
    tag = cut
  }
  return changed ? { tag, changed } : { tag }
}
