import type { Rule } from '../rule.js'
export const ML_RULES: Rule[] = []
