import { isAbsolutePath } from '../facts/instructions.js'
import { splitWords } from '../model.js'
import type { Rule } from '../rule.js'

export const DL3000: Rule = {
  code: 'DL3000',
  severity: 'error',
  message: 'Use absolute WORKDIR',
  name: 'workdir-absolute',
  check: ({ df }) =>
    df.instructions
      .filter((i) => i.keyword === 'WORKDIR' && !isAbsolutePath(splitWords(i.args)[0] ?? ''))
      .map((i) => ({ line: i.line }))
}
