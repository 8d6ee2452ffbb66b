import { argDecls, envPairs } from '../model.js'
import type { Rule } from '../rule.js'

const KNOWN = new Set(
  [
    'VAULT_TOKEN',
    'VAULT_CLIENT_KEY',
    'TRAVIS_SUDO',
    'TRAVIS_SECURE_ENV_VARS',
    'TRAVIS_OS_NAME',
    'STRIPE_DEVICE_NAME',
    'STRIPE_API_KEY',
    'SLACK_TOKEN',
    'POSTGRES_PASSWORD',
    'OS_USERNAME',
    'OS_PASSWORD',
    'OPENAI_API_KEY',
    'OKTA_OAUTH2_CLIENTSECRET',
    'OKTA_OAUTH2_CLIENTID',
    'OKTA_CLIENT_TOKEN',
    'OKTA_CLIENT_ORGURL',
    'OKTA_AUTHN_GROUPID',
    'NPM_TOKEN',
    'NPM_AUTH_TOKEN',
    'HEROKU_API_USER',
    'HEROKU_API_KEY',
    'GITHUB_TOKEN',
    'GITHUB_ENTERPRISE_TOKEN',
    'GH_TOKEN',
    'GH_ENTERPRISE_TOKEN',
    'FOSSA_API_KEY',
    'FIREBASE_TOKEN',
    'FIREBASE_API_TOKEN',
    'FACEBOOK_APP_SECRET',
    'FACEBOOK_APP_ID',
    'FACEBOOK_ACCESS_TOKEN',
    'DOCKER_USERNAME',
    'DOCKER_PASSWORD',
    'DOCKER_EMAIL',
    'DOCKERHUB_PASSWORD',
    'CI_DEPLOY_USER',
    'CI_DEPLOY_PASSWORD',
    'CIRCLE_TOKEN',
    'CF_USERNAME',
    'CF_PASSWORD',
    'BITTREX_API_SECRET',
    'BITTREX_API_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'APPLICATION_KEY'
  ].map((n) => n.toLowerCase())
)
const SUBSTRINGS = ['api_key', 'client_key', 'password', 'private', 'secret', 'token', 'username']

export function looksSecret(name: string): boolean {
  const n = name.toLowerCase()
  return KNOWN.has(n) || SUBSTRINGS.some((s) => n.includes(s))
}

/** Matches ARG/ENV names only (not values), as hadolint 2.15 does. */
export const DL3064: Rule = {
  code: 'DL3064',
  severity: 'warning',
  message: 'Potentially sensitive data should not be used in the `ARG` or `ENV` commands',
  name: 'secret-name',
  onbuild: true,
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          (i.keyword === 'ARG' && argDecls(i).some((a) => looksSecret(a.name))) ||
          (i.keyword === 'ENV' && envPairs(i).some((p) => looksSecret(p.key)))
      )
      .map((i) => ({ line: i.line }))
}
