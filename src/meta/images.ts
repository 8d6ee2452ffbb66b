import { UserError } from '../errors.js'
import { parseReference, splitReference } from '../reference.js'
import { csvFields, inputLines, keyValue } from './parse.js'

export interface ImageEntry {
  name: string
  enable: boolean
}

/** Parses the `images` input: one image per line, `name=`/`enable=` attributes allowed. */
export function parseImages(input: string): ImageEntry[] {
  const images: ImageEntry[] = []
  const lines = inputLines(input)
  // The reference's older format: one line of comma-separated names (`a/app,localhost:5000/a/app`),
  // recognised when no field has an attribute.
  if (lines.length === 1) {
    const fields = csvFields(lines[0], 'images')
    if (fields.length > 1 && fields.every((f) => keyValue(f).key === undefined)) {
      return fields
        .filter((f) => f.trim() !== '')
        .map((f) => ({ name: normalizeImageName(keyValue(f).value), enable: true }))
    }
  }
  for (const line of lines) {
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
  const parts = splitReference(name)
  if (parts.tag !== undefined) {
    fail(`it ends with a tag (":${parts.tag}"); give the name only, tags come from the tags input`)
  }
  try {
    parseReference(name)
  } catch (e) {
    // parseReference says why after "image reference: "; keep the images-input wording around it
    fail(
      (e as Error).message.replace(/^.*?is not a valid image reference: /, '').replace(/\.$/, '')
    )
  }
  return name
}
