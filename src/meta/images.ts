import { UserError } from '../errors.js'
import { csvFields, inputLines, keyValue } from './parse.js'

export interface ImageEntry {
  name: string
  enable: boolean
}

// distribution/reference grammar, after lowercasing (which the reference action also does).
const DOMAIN_COMPONENT = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])'
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-f:]+\\])(?::[0-9]+)?$`
)
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const MAX_NAME_LENGTH = 255

/** Parses the `images` input: one image per line, `name=`/`enable=` attributes allowed. */
export function parseImages(input: string): ImageEntry[] {
  const images: ImageEntry[] = []
  for (const line of inputLines(input)) {
    let name: string | undefined
    let enable = true
    for (const field of csvFields(line, 'images')) {
      const { key, value } = keyValue(field)
      if (key === undefined || key === 'name') {
        name = value
      } else if (key === 'enable') {
        if (value !== 'true' && value !== 'false') {
          throw new UserError(`images: enable must be true or false in "${line}" (got "${value}").`)
        }
        enable = value === 'true'
      } else {
        throw new UserError(
          `images: unknown attribute "${key}" in "${line}". Known attributes: name, enable.`
        )
      }
    }
    if (!name)
      throw new UserError(
        `images: "${line}" has no image name. Write name=registry/owner/app or just the name.`
      )
    images.push({ name: normalizeImageName(name), enable })
  }
  return images
}

/**
 * Lowercases an image name (as the reference does) and refuses one Docker would refuse, so the
 * mistake is reported here and not by a push at the end of a long build.
 */
export function normalizeImageName(raw: string): string {
  const name = raw.trim().toLowerCase()
  const fail = (why: string): never => {
    throw new UserError(`images: "${raw}" is not a valid image name: ${why}.`)
  }
  if (name.length === 0) fail('it is empty')
  if (/\s/.test(name)) fail('it contains whitespace')
  if (name.includes('@'))
    fail('it contains a digest; give the name only (tags come from the tags input)')
  const parts = name.split('/')
  // The first component is a registry when it looks like a host: a dot, a port or localhost.
  let path = parts
  if (
    parts.length > 1 &&
    (/[.:]/.test(parts[0]) || parts[0] === 'localhost' || parts[0].startsWith('['))
  ) {
    if (!DOMAIN_RE.test(parts[0])) fail(`"${parts[0]}" is not a valid registry host[:port]`)
    path = parts.slice(1)
  }
  const last = path[path.length - 1]
  if (last.includes(':')) {
    fail(
      `it ends with a tag ("${last.slice(last.indexOf(':'))}"); give the name only, tags come from the tags input`
    )
  }
  for (const component of path) {
    if (!PATH_COMPONENT_RE.test(component)) {
      fail(
        `"${component || '(empty)'}" is not a valid path component (lowercase letters and digits, separated by ".", "_", "__" or "-")`
      )
    }
  }
  if (name.length > MAX_NAME_LENGTH) fail(`it is longer than ${MAX_NAME_LENGTH} characters`)
  return name
}
