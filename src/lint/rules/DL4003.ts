import { repeated } from '../facts/instructions.js'
import type { Rule } from '../rule.js'

export const DL4003: Rule = {
  code: 'DL4003',
  severity: 'warning',
  message:
    'Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect',
  name: 'multiple-cmd',
  check: repeated('CMD')
}
