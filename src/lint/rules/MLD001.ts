import { isWholeContextCopy } from '../facts/context.js'
import type { Rule } from '../rule.js'

export const MLD001: Rule = {
  code: 'MLD001',
  severity: 'warning',
  message:
    'The whole build context is copied but there is no .dockerignore (or it has no pattern): notebooks, datasets, checkpoints, virtualenvs and .git end up in the image',
  name: 'dockerignore-missing',
  check: ({ df, context }) => {
    if (!context || context.hasIgnoreFile) return []
    const first = df.instructions.find(isWholeContextCopy)
    return first ? [{ line: first.line }] : []
  }
}
