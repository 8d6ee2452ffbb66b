import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {
  describeTestbed,
  registryTags,
  ROOT,
  runAction,
  runPost,
  serviceInputs,
  spawnCollect,
  uniqueName,
  type ActionEvent,
  type ActionRun,
  type Testbed,
  tagPush
} from './testbed.js'

const release = tagPush('v4.0.0')
const tmp = (p: string): string => mkdtempSync(path.join(os.tmpdir(), `scan-pipe-${p}-`))

async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describeTestbed(
  'scan in the pipeline: no DB anywhere, and what the scanner sees',
  (bed: Testbed) => {
    const repo = uniqueName('acme/ml-service-nodb')
    const dumps = tmp('env')
    let run: ActionRun
    let inputs: Record<string, string>

    beforeAll(async () => {
      // A trivy on PATH that records its environment, then runs the real one.
      const wrapDir = tmp('wrap')
      writeFileSync(
        path.join(wrapDir, 'trivy'),
        `#!/bin/sh\nenv > "${dumps}/env-$$"\nexec "${realpathSync(bed.trivyBin)}" "$@"\n`
      )
      chmodSync(path.join(wrapDir, 'trivy'), 0o755)
      inputs = serviceInputs(bed, repo, {
        smoke: 'false',
        'trivy-cache-dir': tmp('empty-cache'),
        'scan-skip-db-update': 'false',
        'trivy-db-repository': `127.0.0.1:${await closedPort()}/testbed/trivy-db`
      })
      const savedPath = process.env.PATH
      process.env.PATH = `${wrapDir}:${savedPath}`
      try {
        run = await runAction(inputs, release)
        await runPost(run, inputs, release)
      } finally {
        process.env.PATH = savedPath
      }
    }, 900_000)

    it('every repository down and no cached DB: a clear error, and nothing is pushed', () => {
      expect(run.code).not.toBe(0)
      expect(run.summary).toMatch(/\| scan \| ❌ failed/)
      expect(run.summary).toMatch(/\| push \| ⏭️ skipped/)
      expect(run.output).toMatch(
        /Every vulnerability DB repository failed \(127\.0\.0\.1:\d+\/testbed\/trivy-db:2\), and there is no cached vulnerability DB to fall back on/
      )
      expect(run.outputs.pushed).toBe('false')
      // The build writes its cache before the gates; no image tag is pushed.
      expect(registryTags(bed, repo).filter((t) => !t.startsWith('buildcache-'))).toEqual([])
    })

    it('the scanner never sees the registry login of the run', () => {
      // This run logged in to push (username and password given, a release event).
      expect(run.output).toMatch(/Login Succeeded|login/i)
      const files = readdirSync(dumps)
      expect(files.length).toBeGreaterThanOrEqual(2) // --version, then the DB download
      for (const f of files) {
        const env = Object.fromEntries(
          readFileSync(path.join(dumps, f), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
        ) as Record<string, string>
        expect(JSON.stringify(env)).not.toContain(bed.password)
        expect(
          Object.keys(env).filter((k) => /^(INPUT_|GITHUB_|ACTIONS_|RUNNER_)/.test(k))
        ).toEqual([])
        if (env.DOCKER_CONFIG) {
          expect(env.DOCKER_CONFIG).toMatch(/scanner-docker-config-/)
        }
      }
    })
  }
)

describeTestbed('ml-docker run with no Trivy installed, outside GitHub Actions', (bed: Testbed) => {
  let res: { code: number; output: string }
  const home = tmp('home')
  let requests = 0
  // The system directories plus the docker CLI alone: wherever docker lives (often
  // /usr/local/bin), the directory it shares with a trivy must not be on the PATH.
  let PATH = '/usr/bin:/bin'

  let server: http.Server
  beforeAll(async () => {
    const onlyDocker = tmp('bin')
    const docker = execFileSync('which', ['docker'], { encoding: 'utf8' }).trim()
    symlinkSync(docker, path.join(onlyDocker, 'docker'))
    PATH = `${onlyDocker}:${PATH}`
    // A release-shaped archive of the test bed's trivy, served from loopback.
    const rel = tmp('release')
    execFileSync('cp', [realpathSync(bed.trivyBin), path.join(rel, 'trivy')])
    execFileSync('tar', [
      '-I',
      'gzip -1',
      '-cf',
      path.join(rel, 'trivy.tar.gz'),
      '-C',
      rel,
      'trivy'
    ])
    const archive = readFileSync(path.join(rel, 'trivy.tar.gz'))
    const sha = execFileSync('sha256sum', [path.join(rel, 'trivy.tar.gz')], {
      encoding: 'utf8'
    }).split(' ')[0]
    server = http.createServer((req, res) => {
      requests++
      if (req.url === '/trivy/0.74.0/Linux-64bit.tar.gz') res.end(archive)
      else res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const env = {
      PATH,
      HOME: home,
      // The builder and the docker client settings stay the user's; only HOME is new.
      DOCKER_CONFIG: path.join(os.homedir(), '.docker'),
      BUILDX_CONFIG: path.join(os.homedir(), '.docker', 'buildx')
    }
    res = await spawnCollect(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'cli', 'index.js'),
        'run',
        path.join(ROOT, 'examples', 'ml-service'),
        '--images',
        `${bed.registry}/${uniqueName('acme/ml-service-cli')}`,
        '--builder',
        bed.builder,
        '--build-args',
        `BASE_IMAGE=${bed.pythonImage}`,
        '--no-smoke',
        '--trivy-cache-dir',
        bed.trivyCacheClean,
        '--scan-skip-db-update',
        '--trivy-download-url',
        `${base}/trivy/{version}/{platform}.tar.gz`,
        '--trivy-sha256',
        sha
      ],
      env,
      ROOT
    )
  }, 900_000)

  afterAll(() => {
    server?.close()
  })

  it('has no trivy on its PATH to begin with', () => {
    expect(() => execFileSync('which', ['trivy'], { env: { PATH } })).toThrow()
  })

  it('installs the checksum-verified Trivy into the per-user tool directory and scans', () => {
    if (res.code !== 0) console.log(res.output)
    expect(res.code).toBe(0)
    expect(requests).toBe(1)
    const dir = path.join(home, '.cache', 'ml-docker', 'tools', 'trivy', '0.74.0')
    expect(res.output).toContain(`installed Trivy 0.74.0 in ${dir}`)
    const [plat] = readdirSync(dir)
    expect(
      execFileSync(path.join(dir, plat, 'trivy'), ['--version'], { encoding: 'utf8' })
    ).toContain('Version: 0.74.0')
    expect(res.output).toMatch(/scan\s+passed/)
  })
})

describeTestbed(
  'scan-fail-on new in the pipeline: the published image is the baseline',
  (bed: Testbed) => {
    const repo = uniqueName('acme/ml-service-baseline')
    const branch: ActionEvent = {
      name: 'push',
      ref: 'refs/heads/main',
      payload: {
        ref: 'refs/heads/main',
        repository: { default_branch: 'main', name: 'ml-service' }
      }
    }
    let published: ActionRun
    let gated: ActionRun

    beforeAll(async () => {
      // main is published once (scanned with the clean DB)...
      const first = serviceInputs(bed, repo, { smoke: 'false' })
      published = await runAction(first, branch)
      await runPost(published, first, branch)
      // ...then the next main build, with the vulnerable DB: the same CVEs are in the published image.
      const next = serviceInputs(bed, repo, {
        smoke: 'false',
        'trivy-cache-dir': bed.trivyCacheVulnerable,
        'scan-fail-on': 'new'
      })
      gated = await runAction(next, branch)
      await runPost(gated, next, branch)
    }, 900_000)

    it('reads the baseline through the authenticated registry, finds nothing new, and pushes', () => {
      expect(published.code).toBe(0)
      if (gated.code !== 0) console.log(gated.output)
      expect(gated.code).toBe(0)
      expect(gated.outputs['scan-critical']).toBe('1')
      expect(gated.outputs['scan-new']).toBe('0')
      expect(gated.summary).toContain(
        `Baseline \`${bed.registry}/${repo}:main\` (first computed tag): 0 new, 0 fixed, 2 unchanged; only new findings fail`
      )
      expect(gated.summary).toMatch(/upgrade libexpat1 to \S+: fixes 1 critical/)
      expect(gated.outputs.pushed).toBe('true')
    })
  }
)
