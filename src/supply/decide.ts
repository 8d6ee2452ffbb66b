import { existsSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../errors.js'

export type SignMode = 'auto' | 'true' | 'false'
export type ProvenanceMode = 'false' | 'min' | 'max'

/** The publish inputs, parsed. */
export interface SupplyConfig {
  sbom: boolean
  provenance: ProvenanceMode
  sign: SignMode
  /** A key file (absolute) or a KMS reference (`awskms://…`); '' for keyless. */
  signingKey: string
  signingPassword: string
  signTlog: boolean
  cosignVersion: string
  cosignDownloadUrl: string
  cosignSha256: string
}

/**
 * GitHub Actions hands out an OIDC token when the job has `id-token: write`: the runner then sets
 * both variables, and cosign requests the token itself.
 */
export function oidcAvailable(env: NodeJS.ProcessEnv): boolean {
  return !!env.ACTIONS_ID_TOKEN_REQUEST_URL && !!env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
}

/** `awskms://`, `gcpkms://`, `hashivault://`, `k8s://`, `env://`, `pkcs11:`: cosign resolves these. */
export function isKeyReference(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith('pkcs11:')
}

export interface SigningDecision {
  sign: boolean
  method?: 'key' | 'keyless'
  /** Why, for the log and the stage detail. */
  reason: string
}

/**
 * Whether the pushed digest is signed, and how. `pushes` is the run's push decision: nothing is
 * signed on a run that does not push.
 */
export function decideSigning(
  cfg: Pick<SupplyConfig, 'sign' | 'signingKey'>,
  pushes: boolean,
  env: NodeJS.ProcessEnv
): SigningDecision {
  if (cfg.sign === 'false') return { sign: false, reason: 'sign: false' }
  if (!pushes) return { sign: false, reason: 'the run does not push' }
  if (cfg.signingKey) return { sign: true, method: 'key', reason: 'signing-key' }
  if (oidcAvailable(env)) return { sign: true, method: 'keyless', reason: 'keyless (OIDC token)' }
  if (cfg.sign === 'true') throw signingUnavailable()
  return { sign: false, reason: 'no signing-key and no OIDC token (id-token: write)' }
}

function signingUnavailable(): UserError {
  return new UserError(
    'Input "sign" is true but there is no "signing-key" and no OIDC token: set signing-key, or give the job ' +
      '"permissions: id-token: write" for keyless signing.'
  )
}

function oneOf<T extends string>(name: string, raw: string, allowed: T[], fallback: T): T {
  const v = raw.trim().toLowerCase() || fallback
  if (!(allowed as string[]).includes(v)) {
    throw new UserError(`Input "${name}" must be ${allowed.join(', ')}; got "${raw.trim()}".`)
  }
  return v as T
}

/** Parses the publish inputs; `get` reads one raw input (default applied). */
export function parseSupply(
  get: (name: string) => string,
  opts: { cwd: string; env: NodeJS.ProcessEnv; scan: boolean; push: 'auto' | 'true' | 'false' }
): SupplyConfig {
  const sbomRaw = get('sbom').trim().toLowerCase()
  const sbom =
    oneOf(
      'sbom',
      sbomRaw === 'yes' ? 'true' : sbomRaw === 'no' ? 'false' : sbomRaw,
      ['true', 'false'],
      'false'
    ) === 'true'
  const provRaw = oneOf('provenance', get('provenance'), ['false', 'true', 'min', 'max'], 'false')
  const provenance: ProvenanceMode = provRaw === 'true' ? 'max' : provRaw
  const sign = oneOf('sign', get('sign'), ['auto', 'true', 'false'], 'auto')
  const keyRaw = get('signing-key').trim()
  const signingKey = !keyRaw || isKeyReference(keyRaw) ? keyRaw : path.resolve(opts.cwd, keyRaw)
  const signingPassword = get('signing-password')
  const tlogRaw = oneOf('sign-tlog', get('sign-tlog'), ['true', 'false'], 'true')

  if (sbom && !opts.scan) {
    throw new UserError(
      'Input "sbom" is true but "scan" is false: the SBOM is converted from the scan\'s analysis; enable scan.'
    )
  }
  if (signingKey && !isKeyReference(signingKey) && !existsSync(signingKey)) {
    throw new UserError(
      `Input "signing-key": ${keyRaw} does not exist. Fix the path of the cosign private key.`
    )
  }
  if (signingPassword && !signingKey) {
    throw new UserError(
      'Input "signing-password" is set but "signing-key" is empty: set both, or neither.'
    )
  }
  // push: auto is decided by the event (a pull request never pushes, and a fork's gets no OIDC
  // token): the pipeline checks again once the run's plan says whether it pushes.
  if (sign === 'true' && opts.push === 'true' && !signingKey && !oidcAvailable(opts.env)) {
    throw signingUnavailable()
  }
  const cosignVersion = get('cosign-version').trim().replace(/^v/, '')
  if (!/^\d+\.\d+\.\d+$/.test(cosignVersion)) {
    throw new UserError(
      `Input "cosign-version" must be an exact version such as 2.6.5, got "${get('cosign-version').trim()}".`
    )
  }
  const cosignSha256 = get('cosign-sha256').trim().toLowerCase()
  if (cosignSha256 && !/^[0-9a-f]{64}$/.test(cosignSha256)) {
    throw new UserError(
      'Input "cosign-sha256" must be the 64 hex digits of the binary\'s sha256 (as in sha256sum output).'
    )
  }
  return {
    sbom,
    provenance,
    sign,
    signingKey,
    signingPassword,
    signTlog: tlogRaw === 'true',
    cosignVersion,
    cosignDownloadUrl: get('cosign-download-url').trim(),
    cosignSha256
  }
}
