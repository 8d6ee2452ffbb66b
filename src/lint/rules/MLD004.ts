import type { Rule } from '../rule.js'
import { baseOf, explicitOrShipped } from '../facts/secrets.js'

const TEMPLATES = new Set(['.env.example', '.env.sample', '.env.template', '.env.dist'])

export function isDotenv(path: string): boolean {
  const name = baseOf(path)
  if (TEMPLATES.has(name)) return false
  return (
    name === '.env' || (name.endsWith('.env') && !name.includes('/')) || name.startsWith('.env.')
  )
}

export const MLD004: Rule = {
  code: 'MLD004',
  severity: 'error',
  message: 'A .env file is copied into the image',
  name: 'dotenv-file-in-image',
  check: ({ df, context }) =>
    explicitOrShipped(
      df,
      context,
      isDotenv,
      'a .env file (tokens and passwords readable by anyone who pulls the image)'
    ).map((h) => ({
      ...h,
      message: `${h.message!}. Exclude it in .dockerignore and pass settings at run time`
    }))
}
