import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../../src/config.js'
import { ConsoleLogger } from '../../src/log.js'
import type { GitContext } from '../../src/meta/index.js'
import { runPipeline, type PipelineResult } from '../../src/pipeline.js'
import { describeTestbed, registryTags, sh, uniqueName, type Testbed } from './testbed.js'

/**
 * The publish stage against the test bed's registry: a release signed with a cosign key (no
 * transparency log: the bed is offline), its SBOM and provenance attached as signed attestations
 * and read back through the registry with cosign itself; a moved tag fails verification; a run
 * whose scan gate fails signs nothing; an unsigned run attaches OCI 1.1 referrers.
 */
interface SupplyBed {
  cosignBin: string
  cosignVersion: string
  wheels: { name: string; version: string; file: string }[]
}

const SHA = '5f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c'
const context: GitContext = {
  eventName: 'push',
  sha: SHA,
  ref: 'refs/tags/v1.0.0',
  payload: {},
  source: 'workflow',
  repository: { fullName: 'acme/ml-service', htmlUrl: 'https://github.com/acme/ml-service' }
}
const PASSWORD = 'correct-horse-battery-staple'

describeTestbed('publish: signed SBOM and provenance on the pushed digest', (bed: Testbed) => {
  const supply = bed.extra.supply as unknown as SupplyBed | undefined
  const work = mkdtempSync(path.join(os.tmpdir(), 'ml-docker-supply-it-'))
  const dockerConfig = path.join(work, 'docker-config')
  const repo = uniqueName('acme/signed')
  const failRepo = uniqueName('acme/unsafe')
  const plainRepo = uniqueName('acme/unsigned')
  let cosign = ''
  let signed: PipelineResult
  let failed: PipelineResult
  let unsigned: PipelineResult
  let output = ''
  const savedPath = process.env.PATH

  /** cosign as a consumer runs it: with read credentials for the bed registry, nothing else. */
  const consumer = (args: string[]) => {
    const res = spawnSync(cosign, args, {
      encoding: 'utf8',
      env: {
        PATH: '/usr/bin:/bin',
        HOME: work,
        DOCKER_CONFIG: dockerConfig,
        COSIGN_PASSWORD: PASSWORD
      }
    })
    return { code: res.status ?? -1, stdout: res.stdout, output: `${res.stdout}${res.stderr}` }
  }

  /** The statement inside each verified attestation of `type`. */
  const verifiedStatements = (ref: string, type: string) => {
    const res = consumer([
      'verify-attestation',
      '--key',
      path.join(work, 'cosign.pub'),
      '--insecure-ignore-tlog',
      '--type',
      type,
      ref
    ])
    if (res.code !== 0) throw new Error(`verify-attestation --type ${type} failed:\n${res.output}`)
    return res.stdout
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(
            Buffer.from((JSON.parse(line) as { payload: string }).payload, 'base64').toString()
          ) as {
            predicateType: string
            subject: { name: string }[]
            predicate: Record<string, unknown>
          }
      )
  }

  function imageContext(): string {
    const dir = mkdtempSync(path.join(work, 'ctx-'))
    mkdirSync(path.join(dir, 'wheels'))
    for (const w of supply!.wheels)
      copyFileSync(w.file, path.join(dir, 'wheels', path.basename(w.file)))
    // A wheel is a zip laid out for site-packages: unpacked as pip would, without needing pip.
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        'ARG BASE_IMAGE',
        'FROM ${BASE_IMAGE}',
        'COPY wheels/ /tmp/wheels/',
        "RUN python3 -c \"import glob, zipfile; [zipfile.ZipFile(w).extractall('/usr/local/lib/python3.11/dist-packages') for w in glob.glob('/tmp/wheels/*.whl')]\" && rm -rf /tmp/wheels",
        'RUN python3 -c "import six, idna"',
        'USER 65534',
        'HEALTHCHECK --interval=1s --timeout=2s --retries=5 CMD ["python3", "-c", "import six"]',
        'CMD ["python3", "-m", "http.server", "8080"]',
        ''
      ].join('\n')
    )
    return dir
  }

  async function release(image: string, extra: Record<string, string>): Promise<PipelineResult> {
    const lines: string[] = []
    const log = new ConsoleLogger(
      (s) => lines.push(s),
      (s) => lines.push(s)
    )
    const ctx = imageContext()
    const inputs: Record<string, string> = {
      context: ctx,
      images: `${bed.registry}/${image}`,
      tags: 'type=semver,pattern={{version}}',
      registry: bed.registry,
      username: bed.username,
      password: bed.password,
      'build-args': `BASE_IMAGE=${bed.pythonImage}`,
      builder: bed.builder,
      'trivy-cache-dir': bed.trivyCacheClean,
      'scan-skip-db-update': 'true',
      cache: 'off',
      push: 'true',
      ...extra
    }
    const env = { ...process.env, RUNNER_TEMP: work }
    const cfg = parseConfig((n) => inputs[n], {
      cli: true,
      cwd: ctx,
      env,
      setSecret: (v) => log.secret(v)
    })
    const r = await runPipeline(cfg, { log, env, context, runId: uniqueName('supply') })
    output += `\n===== ${image}\n${lines.join('\n')}`
    return r
  }

  beforeAll(async () => {
    if (!supply || !existsSync(supply.cosignBin)) return
    cosign = supply.cosignBin
    mkdirSync(dockerConfig)
    const auth = Buffer.from(`${bed.username}:${bed.password}`).toString('base64')
    writeFileSync(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [bed.registry]: { auth } } })
    )
    const gen = spawnSync(cosign, ['generate-key-pair'], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: work, COSIGN_PASSWORD: PASSWORD }
    })
    if (gen.status !== 0) throw new Error(`cosign generate-key-pair failed: ${gen.stderr}`)
    // The action finds a cosign of the pinned version on PATH, as it does Trivy.
    process.env.PATH = `${path.dirname(cosign)}:${savedPath}`
    const signedRelease = {
      sbom: 'true',
      provenance: 'true',
      sign: 'true',
      'signing-key': path.join(work, 'cosign.key'),
      'signing-password': PASSWORD,
      'sign-tlog': 'false'
    }
    signed = await release(repo, signedRelease)
    failed = await release(failRepo, {
      ...signedRelease,
      'trivy-cache-dir': bed.trivyCacheVulnerable
    })
    unsigned = await release(plainRepo, { sbom: 'true', provenance: 'min', sign: 'false' })
  }, 900_000)

  afterAll(() => {
    process.env.PATH = savedPath
    rmSync(work, { recursive: true, force: true })
  })

  it('has the test bed cosign (.ci/testbed.d/supply.sh)', () => {
    expect(supply?.cosignBin && existsSync(supply.cosignBin)).toBeTruthy()
  })

  it('a signed release passes every gate, pushes, then signs and attests the pushed digest', () => {
    if (!signed.ok) console.log(output)
    expect(signed.ok).toBe(true)
    expect(signed.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'lint:passed',
      'meta:passed',
      'login:passed',
      'build:passed',
      'smoke:passed',
      'scan:passed',
      'push:passed',
      'publish:passed'
    ])
    expect(signed.outputs.signed).toBe('true')
    const publish = signed.stages.find((s) => s.name === 'publish')!
    process.stderr.write(
      `publish (sign + SBOM + provenance attestations, key, no tlog): ${publish.seconds.toFixed(1)}s; ` +
        `push ${signed.stages.find((s) => s.name === 'push')!.seconds.toFixed(1)}s\n`
    )
    // The password reached cosign through its environment only.
    expect(output).not.toContain(PASSWORD)
    expect(output).toMatch(/\$ \S*cosign sign --yes --key \S+cosign\.key --tlog-upload=false /)
  })

  it('cosign verify --key passes on the pushed digest, offline', () => {
    const ref = `${bed.registry}/${repo}@${signed.push!.digest}`
    const res = consumer([
      'verify',
      '--key',
      path.join(work, 'cosign.pub'),
      '--insecure-ignore-tlog',
      ref
    ])
    expect(res.output).toMatch(/signatures were verified against the specified public key/)
    expect(res.code).toBe(0)
    const payload = JSON.parse(res.stdout.trim().split('\n')[0]) as {
      critical: { image: { 'docker-manifest-digest': string } }
    }[]
    expect(payload[0].critical.image['docker-manifest-digest']).toBe(signed.push!.digest)
  })

  it("the SBOM fetched back through the registry lists the image's Python packages", () => {
    const ref = `${bed.registry}/${repo}@${signed.push!.digest}`
    const [st] = verifiedStatements(ref, 'cyclonedx')
    expect(st.predicateType).toBe('https://cyclonedx.org/bom')
    const components = (st.predicate.components ?? []) as {
      name: string
      version: string
      purl?: string
    }[]
    for (const w of supply!.wheels) {
      expect(components).toContainEqual(
        expect.objectContaining({
          name: w.name,
          version: w.version,
          purl: `pkg:pypi/${w.name}@${w.version}`
        })
      )
    }
    // And the Debian packages of the base image, from the same analysis.
    expect(components.some((c) => c.purl?.startsWith('pkg:deb/debian/'))).toBe(true)
  })

  it('the provenance verifies and names the git sha, the builder inputs and the gates', () => {
    const ref = `${bed.registry}/${repo}@${signed.push!.digest}`
    const [st] = verifiedStatements(ref, 'slsaprovenance1')
    expect(st.predicateType).toBe('https://slsa.dev/provenance/v1')
    const pred = st.predicate as {
      buildDefinition: {
        externalParameters: Record<string, unknown>
        internalParameters: {
          gates: Record<string, { status: string; counts?: Record<string, number> }>
        }
        resolvedDependencies: { uri: string; digest: { gitCommit: string } }[]
      }
    }
    expect(pred.buildDefinition.resolvedDependencies[0]).toEqual({
      uri: 'git+https://github.com/acme/ml-service@refs/tags/v1.0.0',
      digest: { gitCommit: SHA }
    })
    expect(pred.buildDefinition.externalParameters.buildArgs).toEqual(['BASE_IMAGE'])
    const gates = pred.buildDefinition.internalParameters.gates
    expect(gates.lint.status).toBe('passed')
    expect(gates.smoke.status).toBe('passed')
    expect(gates.scan.counts).toEqual(signed.scan!.counts)
  })

  it('a tag moved to other bytes fails verification', () => {
    const tag = `${bed.registry}/${repo}:1.0.0`
    expect(
      consumer(['verify', '--key', path.join(work, 'cosign.pub'), '--insecure-ignore-tlog', tag])
        .code
    ).toBe(0)
    sh('skopeo', [
      'copy',
      '-q',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--dest-creds',
      `${bed.username}:${bed.password}`,
      `docker://${bed.busyboxImage}`,
      `docker://${tag}`
    ])
    const res = consumer([
      'verify',
      '--key',
      path.join(work, 'cosign.pub'),
      '--insecure-ignore-tlog',
      tag
    ])
    expect(res.code).not.toBe(0)
    expect(res.output).toMatch(/no signatures found|no matching signatures/i)
  })

  it('a run whose scan gate fails pushes nothing and signs nothing', () => {
    expect(failed.ok).toBe(false)
    expect(failed.failedStage).toBe('scan')
    expect(failed.stages.find((s) => s.name === 'publish')?.status).toBe('skipped')
    expect(failed.outputs.signed).toBeUndefined()
    const tags = registryTags(bed, failRepo)
    expect(tags.filter((t) => t.endsWith('.sig') || t.endsWith('.att'))).toEqual([])
    expect(tags).toEqual([])
  })

  it('sign: true on a pushing run with neither key nor OIDC token stops before the build', async () => {
    const noKeyRepo = uniqueName('acme/nokey')
    const r = await release(noKeyRepo, { push: 'auto', sign: 'true' })
    expect(r.ok).toBe(false)
    expect(r.userError).toBe(true)
    expect(r.failedStage).toBe('meta')
    expect(r.error).toMatch(/"sign" is true but there is no "signing-key" and no OIDC token/)
    expect(r.stages.find((s) => s.name === 'build')?.status).toBe('skipped')
    expect(registryTags(bed, noKeyRepo)).toEqual([])
  })

  it('without signing, the SBOM and provenance are attached as unsigned OCI 1.1 referrers', () => {
    if (!unsigned.ok) console.log(output)
    expect(unsigned.ok).toBe(true)
    expect(unsigned.outputs.signed).toBe('false')
    const digest = unsigned.push!.digest
    const tags = registryTags(bed, plainRepo)
    expect(tags.filter((t) => t.endsWith('.sig') || t.endsWith('.att'))).toEqual([])
    expect(tags).toContain(digest.replace(':', '-'))
    const tree = consumer([
      'tree',
      '--experimental-oci11',
      `${bed.registry}/${plainRepo}@${digest}`
    ])
    expect(tree.code).toBe(0)
    expect(tree.output).toMatch(/application\/vnd\.in-toto\+json/)
    // Each referrer's statement is about the pushed digest.
    const index = JSON.parse(
      sh('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `${bed.username}:${bed.password}`,
        `docker://${bed.registry}/${plainRepo}:${digest.replace(':', '-')}`
      ])
    ) as { manifests: { annotations: Record<string, string> }[] }
    expect(index.manifests.map((m) => m.annotations['in-toto.io/predicate-type']).sort()).toEqual([
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v1'
    ])
  })
})
