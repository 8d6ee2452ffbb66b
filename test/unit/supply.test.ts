import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../../src/config.js'
import { isUserError } from '../../src/errors.js'
import { cosignEnv, cosignPlatform, parseCosignVersion } from '../../src/supply/cosign.js'
import { decideSigning, isKeyReference, oidcAvailable } from '../../src/supply/decide.js'
import { pushedSubjects, publishes, supplyOutputs } from '../../src/supply/index.js'
import {
  builderId,
  provenancePredicate,
  statement,
  workspacePath,
  type ProvenanceInput
} from '../../src/supply/provenance.js'
import { attestationManifest, referrersTag, withReferrer } from '../../src/supply/referrers.js'

const OIDC = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/req',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'tok'
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-supply-'))
writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n')
const keyFile = path.join(dir, 'cosign.key')
writeFileSync(keyFile, '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n')

function cfg(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return parseConfig((n) => inputs[n], { cwd: dir, cli: true, env }).supply
}

function userError(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(isUserError(e)).toBe(true)
    const message = (e as Error).message
    expect(message.split('\n')).toHaveLength(1)
    return message
  }
  throw new Error('no error thrown')
}

describe('decideSigning', () => {
  const key = { signingKey: keyFile }
  const none = { signingKey: '' }
  // sign input × key × OIDC × pushes → sign?, method
  const matrix: [string, typeof key, NodeJS.ProcessEnv, boolean, boolean, string | undefined][] = [
    ['auto', key, {}, true, true, 'key'],
    ['auto', key, OIDC, true, true, 'key'],
    ['auto', none, OIDC, true, true, 'keyless'],
    ['auto', none, {}, true, false, undefined],
    ['auto', key, OIDC, false, false, undefined],
    ['true', key, {}, true, true, 'key'],
    ['true', none, OIDC, true, true, 'keyless'],
    ['true', key, {}, false, false, undefined],
    ['false', key, OIDC, true, false, undefined],
    ['false', none, OIDC, true, false, undefined]
  ]
  it.each(matrix)('sign=%s key=%o env=%o pushes=%s', (sign, k, env, pushes, want, method) => {
    const d = decideSigning({ sign: sign as 'auto', ...k }, pushes, env)
    expect(d.sign).toBe(want)
    expect(d.method).toBe(method)
    expect(d.reason).not.toBe('')
  })

  it('sign: true with neither a key nor an OIDC token on a pushing run is a one-line user error', () => {
    const m = userError(() => decideSigning({ sign: 'true', signingKey: '' }, true, {}))
    expect(m).toMatch(/signing-key.*id-token: write/)
  })

  it('auto says why it does not sign', () => {
    expect(decideSigning({ sign: 'auto', signingKey: '' }, true, {}).reason).toMatch(/OIDC/)
    expect(decideSigning({ sign: 'auto', signingKey: keyFile }, false, {}).reason).toMatch(
      /does not push/
    )
  })
})

describe('OIDC detection', () => {
  it('needs both the request URL and its token', () => {
    expect(oidcAvailable(OIDC)).toBe(true)
    expect(oidcAvailable({ ACTIONS_ID_TOKEN_REQUEST_URL: OIDC.ACTIONS_ID_TOKEN_REQUEST_URL })).toBe(
      false
    )
    expect(
      oidcAvailable({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC.ACTIONS_ID_TOKEN_REQUEST_TOKEN })
    ).toBe(false)
    expect(oidcAvailable({ ...OIDC, ACTIONS_ID_TOKEN_REQUEST_URL: '' })).toBe(false)
  })
})

describe('publish inputs', () => {
  it('defaults: no SBOM, no provenance, sign auto, tlog on, cosign 2.6.5', () => {
    expect(cfg({})).toEqual({
      sbom: false,
      provenance: 'false',
      sign: 'auto',
      signingKey: '',
      signingPassword: '',
      signTlog: true,
      cosignVersion: '2.6.5',
      cosignDownloadUrl: '',
      cosignSha256: ''
    })
  })

  it('parses values; provenance true means max; a relative key resolves against the workspace', () => {
    const c = cfg({
      sbom: 'true',
      provenance: 'TRUE',
      sign: 'true',
      'signing-key': 'cosign.key',
      'signing-password': 'pw',
      'sign-tlog': 'false',
      'cosign-version': 'v2.6.5'
    })
    expect(c).toMatchObject({
      sbom: true,
      provenance: 'max',
      sign: 'true',
      signingKey: keyFile,
      signingPassword: 'pw',
      signTlog: false,
      cosignVersion: '2.6.5'
    })
    expect(cfg({ provenance: 'min' }).provenance).toBe('min')
  })

  it('keeps KMS references as they are', () => {
    expect(isKeyReference('awskms:///alias/release')).toBe(true)
    expect(isKeyReference('pkcs11:token=x')).toBe(true)
    expect(isKeyReference('keys/cosign.key')).toBe(false)
    expect(cfg({ 'signing-key': 'gcpkms://projects/p/keys/k' }).signingKey).toBe(
      'gcpkms://projects/p/keys/k'
    )
  })

  it('sign: true without key or OIDC fails at parse time when push is true', () => {
    expect(userError(() => cfg({ sign: 'true', push: 'true' }))).toMatch(/"sign" is true/)
    expect(cfg({ sign: 'true', push: 'true' }, OIDC).sign).toBe('true')
    // push: false never signs: nothing to refuse. push: auto waits for the run's plan (a pull
    // request from a fork neither pushes nor gets an OIDC token).
    expect(cfg({ sign: 'true', push: 'false' }).sign).toBe('true')
    expect(cfg({ sign: 'true' }).sign).toBe('true')
  })

  it('refuses a missing key file, a password without key, an SBOM without scan, bad values', () => {
    expect(userError(() => cfg({ 'signing-key': 'missing.key' }))).toMatch(
      /signing-key.*missing\.key does not exist/
    )
    expect(userError(() => cfg({ 'signing-password': 'pw' }))).toMatch(/signing-password/)
    expect(userError(() => cfg({ sbom: 'true', scan: 'false' }))).toMatch(/"sbom".*scan/)
    expect(userError(() => cfg({ provenance: 'full' }))).toMatch(
      /provenance.*false, true, min, max/
    )
    expect(userError(() => cfg({ sign: 'maybe' }))).toMatch(/"sign" must be auto, true, false/)
    expect(userError(() => cfg({ 'cosign-version': 'latest' }))).toMatch(/cosign-version/)
    expect(userError(() => cfg({ 'cosign-sha256': 'abc' }))).toMatch(/cosign-sha256/)
  })

  it('never quotes the signing password in an error', () => {
    const m = userError(() => cfg({ 'signing-password': 'Zq9-very-secret' }))
    expect(m).not.toContain('Zq9-very-secret')
  })
})

describe('publishes', () => {
  const base = cfg({})
  it('only on a pushing run with something to do', () => {
    expect(publishes(base, true, {})).toBe(false)
    expect(publishes(base, true, OIDC)).toBe(true)
    expect(publishes({ ...base, sbom: true }, true, {})).toBe(true)
    expect(publishes({ ...base, provenance: 'min' }, true, {})).toBe(true)
    expect(publishes({ ...base, sbom: true, provenance: 'max' }, false, OIDC)).toBe(false)
    expect(publishes({ ...base, sign: 'false' }, true, OIDC)).toBe(false)
  })
})

describe('cosign helpers', () => {
  it('reads the version from `cosign version`', () => {
    expect(parseCosignVersion('GitVersion:    v2.6.5\nGitCommit:     unknown')).toBe('2.6.5')
    expect(parseCosignVersion('cosign: devel')).toBeUndefined()
  })
  it('names release binaries as cosign does', () => {
    expect(cosignPlatform('linux', 'x64')).toBe('linux-amd64')
    expect(cosignPlatform('linux', 'arm64')).toBe('linux-arm64')
  })
  it('passes the password and the run login through the environment only', () => {
    const env = cosignEnv(
      { PATH: '/bin', INPUT_SIGNING_PASSWORD: 'x', COSIGN_PASSWORD: 'stale', HOME: '/h' },
      { dockerConfig: '/tmp/cfg', password: 'pw', key: true }
    )
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/h',
      DOCKER_CONFIG: '/tmp/cfg',
      COSIGN_PASSWORD: 'pw',
      COSIGN_YES: 'true'
    })
    const keyless = cosignEnv({ ...OIDC, COSIGN_PASSWORD: 'stale' }, { key: false })
    expect(keyless.COSIGN_PASSWORD).toBeUndefined()
    expect(keyless.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBe('tok')
  })
})

const digest = `sha256:${'ab'.repeat(32)}`
function provInput(mode: 'min' | 'max'): ProvenanceInput {
  return {
    mode,
    subjects: [{ name: '127.0.0.1:5000/acme/app', digest }],
    builder: builderId({
      GITHUB_ACTION_REPOSITORY: 'acme/ml-docker-action',
      GITHUB_ACTION_REF: 'v1'
    }),
    source: {
      repository: 'https://github.com/acme/app',
      ref: 'refs/tags/v1.2.3',
      sha: 'a1b2c3d4e5f6'
    },
    build: {
      context: '.',
      file: 'Dockerfile',
      target: 'runtime',
      platforms: ['linux/amd64'],
      buildArgs: ['PYTHON_VERSION'],
      images: ['127.0.0.1:5000/acme/app'],
      tags: ['127.0.0.1:5000/acme/app:1.2.3']
    },
    gates: {
      status: { lint: 'passed', smoke: 'passed', scan: 'passed' },
      lint: { errors: 0, warnings: 2, notices: 1, threshold: 'error' },
      smoke: { message: 'healthy after 1.2s' },
      scan: {
        counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 3, LOW: 4, UNKNOWN: 0 },
        severities: ['CRITICAL', 'HIGH'],
        failOn: 'all'
      }
    },
    invocationId: 'run-1',
    finishedOn: '2026-12-01T00:00:00.000Z'
  }
}

describe('provenance statement', () => {
  it('is an in-toto v1 statement with a SLSA v1 predicate on the pushed digest', () => {
    const p = provenancePredicate(provInput('max'))
    const st = statement(provInput('max').subjects, 'https://slsa.dev/provenance/v1', p)
    expect(st._type).toBe('https://in-toto.io/Statement/v1')
    expect(st.subject).toEqual([
      { name: '127.0.0.1:5000/acme/app', digest: { sha256: 'ab'.repeat(32) } }
    ])
    expect(st.predicateType).toBe('https://slsa.dev/provenance/v1')
    const pred = p as {
      buildDefinition: {
        externalParameters: Record<string, unknown>
        internalParameters: { gates: Record<string, unknown> }
        resolvedDependencies: { uri: string; digest: Record<string, string> }[]
      }
      runDetails: { builder: { id: string } }
    }
    expect(pred.runDetails.builder.id).toBe('https://github.com/acme/ml-docker-action@v1')
    expect(pred.buildDefinition.resolvedDependencies).toEqual([
      {
        uri: 'git+https://github.com/acme/app@refs/tags/v1.2.3',
        digest: { gitCommit: 'a1b2c3d4e5f6' }
      }
    ])
    expect(pred.buildDefinition.externalParameters).toMatchObject({
      context: '.',
      file: 'Dockerfile',
      target: 'runtime',
      platforms: ['linux/amd64'],
      buildArgs: ['PYTHON_VERSION']
    })
    expect(pred.buildDefinition.internalParameters.gates).toEqual({
      lint: { status: 'passed', errors: 0, warnings: 2, notices: 1, threshold: 'error' },
      smoke: { status: 'passed', message: 'healthy after 1.2s' },
      scan: {
        status: 'passed',
        counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 3, LOW: 4, UNKNOWN: 0 },
        severities: ['CRITICAL', 'HIGH'],
        failOn: 'all'
      }
    })
  })

  it('min omits build args and gate figures, keeping which gates passed', () => {
    const p = provenancePredicate(provInput('min')) as {
      buildDefinition: {
        externalParameters: Record<string, unknown>
        internalParameters: { gates: Record<string, unknown> }
      }
    }
    expect(p.buildDefinition.externalParameters.buildArgs).toBeUndefined()
    expect(p.buildDefinition.internalParameters.gates).toEqual({
      lint: 'passed',
      smoke: 'passed',
      scan: 'passed'
    })
    expect(JSON.stringify(p)).not.toContain('PYTHON_VERSION')
  })

  it('a gate switched off is recorded as skipped, never as passed', () => {
    const i = provInput('max')
    i.gates.status.smoke = 'skipped'
    const p = provenancePredicate(i) as {
      buildDefinition: { internalParameters: { gates: Record<string, unknown> } }
    }
    expect(p.buildDefinition.internalParameters.gates.smoke).toBe('skipped')
  })

  it('outside a workflow the builder is the CLI, and paths stay relative to the workspace', () => {
    expect(builderId({}).id).toMatch(/ml-docker/)
    expect(workspacePath('/w', '/w')).toBe('.')
    expect(workspacePath('/w', '/w/svc/Dockerfile')).toBe('svc/Dockerfile')
    expect(workspacePath('/w', '/elsewhere/Dockerfile')).toBe('Dockerfile')
  })
})

describe('unsigned referrers', () => {
  const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1234 }
  it('the artifact names the image as its subject and carries the statement as its layer', () => {
    const layer = Buffer.from('{"_type":"x"}')
    const { bytes } = attestationManifest(subject, layer, 'https://cyclonedx.org/bom')
    const m = JSON.parse(bytes.toString()) as {
      subject: unknown
      artifactType: string
      layers: { mediaType: string; size: number; annotations: Record<string, string> }[]
    }
    expect(m.subject).toEqual(subject)
    expect(m.artifactType).toBe('application/vnd.in-toto+json')
    expect(m.layers[0]).toMatchObject({
      mediaType: 'application/vnd.in-toto+json',
      size: layer.length,
      annotations: { 'in-toto.io/predicate-type': 'https://cyclonedx.org/bom' }
    })
  })
  it('the fallback tag is sha256-<hex> and its index keeps earlier referrers', () => {
    expect(referrersTag(digest)).toBe(`sha256-${'ab'.repeat(32)}`)
    const a = { mediaType: 'm', digest: 'sha256:1', size: 1 }
    const b = { mediaType: 'm', digest: 'sha256:2', size: 2 }
    const one = withReferrer(undefined, a)
    const two = withReferrer(one, b)
    const again = withReferrer(two, a)
    const list = (buf: Buffer) =>
      (JSON.parse(buf.toString()) as { manifests: { digest: string }[] }).manifests.map(
        (m) => m.digest
      )
    expect(list(two)).toEqual(['sha256:1', 'sha256:2'])
    expect(list(again)).toEqual(['sha256:2', 'sha256:1'])
  })
})

describe('pushed subjects and outputs', () => {
  it('one subject per repository, whatever the number of tags', () => {
    const s = pushedSubjects({
      pushed: [
        '127.0.0.1:5000/acme/app:1.2.3',
        '127.0.0.1:5000/acme/app:latest',
        '127.0.0.1:5001/acme/app:1'
      ],
      digests: {},
      digest,
      uploadedBytes: 0,
      reusedBlobs: 0,
      seconds: 0
    })
    expect(s.map((x) => x.name)).toEqual(['127.0.0.1:5000/acme/app', '127.0.0.1:5001/acme/app'])
    expect(s[0]).toMatchObject({ registry: '127.0.0.1:5000', repository: 'acme/app', digest })
  })
  it('signed / attestations outputs', () => {
    expect(
      supplyOutputs({
        signing: { sign: true, method: 'key', reason: 'signing-key' },
        signed: ['r@d'],
        attestations: [
          {
            type: 'cyclonedx',
            predicateType: 'https://cyclonedx.org/bom',
            ref: 'r:t.att',
            signed: true
          }
        ]
      })
    ).toEqual({ signed: 'true', attestations: 'https://cyclonedx.org/bom r:t.att' })
  })
})
