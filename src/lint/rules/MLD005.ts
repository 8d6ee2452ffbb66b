import type { Rule } from '../rule.js'
import { baseOf, explicitOrShipped } from '../facts/secrets.js'

const NAMES = new Set([
  'id_rsa',
  'id_ecdsa',
  'id_ed25519',
  '.netrc',
  '.pypirc',
  '.npmrc',
  '.git-credentials',
  'kaggle.json'
])
const SUFFIXES = ['.pem', '.key', '.p12', '.pfx']
const PATHS = ['.aws/credentials', '.huggingface/token', '.dvc/config.local']

export function isCredentialFile(path: string): boolean {
  const name = baseOf(path).toLowerCase()
  if (name.endsWith('.pub')) return false
  if (NAMES.has(name) || SUFFIXES.some((s) => name.endsWith(s))) return true
  if (PATHS.some((p) => path === p || path.endsWith('/' + p))) return true
  return (
    name.endsWith('.json') &&
    (name.includes('credentials') ||
      name.includes('service-account') ||
      name.includes('service_account'))
  )
}

export const MLD005: Rule = {
  code: 'MLD005',
  severity: 'error',
  message: 'A credential file is copied into the image',
  name: 'credential-file-in-image',
  check: ({ df, context }) =>
    explicitOrShipped(df, context, isCredentialFile, 'credential files').map((h) => ({
      ...h,
      message: `${h.message!}. Exclude them in .dockerignore and use \`RUN --mount=type=secret\` at build time`
    }))
}
