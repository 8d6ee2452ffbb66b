import type { Rule } from '../rule.js'
import { repeated } from '../facts/instructions.js'

export const DL4004: Rule = {
  code: 'DL4004',
  severity: 'error',
  message:
    'Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect',
  name: 'multiple-entrypoint',
  check: repeated('ENTRYPOINT')
}
