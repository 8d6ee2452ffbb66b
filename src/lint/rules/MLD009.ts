import { imageName, imageTag, normalizeImage } from '../facts/images.js'
import { splitReference } from '../../reference.js'
import type { Rule } from '../rule.js'

export const MLD009: Rule = {
  code: 'MLD009',
  severity: 'warning',
  message:
    'A python base image tag without a minor version (python:3, python:3-slim, python:slim) floats across Python minors',
  name: 'floating-python-base-tag',
  check: ({ df }) =>
    df.stages.flatMap((s) => {
      if (s.parent || s.resolvedImage === undefined) return []
      const image = normalizeImage(s.resolvedImage)
      if (imageName(image) !== 'python' || splitReference(image).digest !== undefined) return []
      const tag = imageTag(image)
      if (tag === undefined || tag === 'latest' || /^\d+\.\d+/.test(tag) || tag.includes('$'))
        return []
      return [
        {
          line: s.from.line,
          message: `\`${image}\` has no Python minor version: a rebuild can move to a new minor and break compiled wheels (torch, numpy) or pickled models. Pin it, e.g. \`python:3.12${tag.replace(/^\d+/, '').replace(/^(?=[a-z])/, '-')}\``
        }
      ]
    })
}
