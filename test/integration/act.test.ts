import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  describeTestbed,
  registryManifest,
  registryTags,
  ROOT,
  sh,
  spawnCollect,
  uniqueName,
  type Testbed
} from './testbed.js'

/**
 * The README's workflows (.github/workflows/example-*.yml) run by nektos/act in self-hosted mode:
 * act reads the workflow, evaluates the expressions, serves `actions/checkout` from the local
 * directory, runs `uses: ./` (dist/index.js) and its post step with the runner's file commands
 * and masking. Each run works on a copy of the repository.
 */

const EVENTS = path.join(ROOT, 'test', 'fixtures', 'act')

/**
 * Preloaded into the action's node processes (NODE_OPTIONS=--require): when one exits, it records
 * the cleanup state the runner keeps between main and post (main: from $GITHUB_STATE, post: from
 * STATE_cleanup) and whether the temporary Docker config still exists at that moment, which is
 * before act removes the job's temporary directory.
 */
const OBSERVER = `
const fs = require('node:fs')
process.on('exit', () => {
  const out = process.env.ML_DOCKER_ACT_OBSERVE
  if (!out || !/[\\\\/]dist[\\\\/]index\\.js$/.test(process.argv[1] || '')) return
  const phase = process.env.STATE_isPost === 'true' ? 'post' : 'main'
  let raw = process.env.STATE_cleanup
  if (phase === 'main' && process.env.GITHUB_STATE) {
    // Each save appends a record: the last one is what the post step gets.
    const text = fs.readFileSync(process.env.GITHUB_STATE, 'utf8')
    const all = [...text.matchAll(/^cleanup<<(\\S+)\\n([\\s\\S]*?)\\n\\1$/gm)]
    raw = all.length ? all[all.length - 1][2] : undefined
  }
  const state = raw ? JSON.parse(raw) : null
  const dockerConfig = state && state.dockerConfig
  const line = { phase, state, dockerConfigExists: dockerConfig ? fs.existsSync(dockerConfig) : null }
  fs.appendFileSync(out, JSON.stringify(line) + '\\n')
})
`

interface Observation {
  phase: 'main' | 'post'
  state: { dockerConfig?: string } | null
  dockerConfigExists: boolean | null
}

interface ActRun {
  code: number
  log: string
  seconds: number
  observations: Observation[]
}

const scratchDirs: string[] = []

function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  scratchDirs.push(dir)
  return dir
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=ml-docker-action', '-c', 'user.email=ci@localhost', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
  ).trim()
}

/**
 * A repository of its own holding this working tree (tracked and new files) and the built dist/,
 * with a GitHub remote so act derives `github.repository` from it. Nothing is fetched from it.
 */
function repositoryCopy(): string {
  const dir = scratch('ml-docker-act-repo-')
  const files = git(ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard')
    .split('\0')
    .filter((f) => f && !f.startsWith('dist/') && existsSync(path.join(ROOT, f)))
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    cpSync(path.join(ROOT, f), path.join(dir, f))
  }
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/ml-service.git')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '--no-gpg-sign', '-m', 'ml-service')
  return dir
}

/** The environment act starts from: this process's, minus anything a runner would set itself. */
function actEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GITHUB_|RUNNER_|ACTIONS_|INPUT_|STATE_|JEST_)|^NODE_OPTIONS$/.test(k)) continue
    env[k] = v
  }
  return env
}

async function runAct(
  bed: Testbed,
  repo: string,
  opts: {
    event: 'push' | 'pull_request'
    payload: string
    workflow: string
    vars: Record<string, string>
    secrets?: Record<string, string>
    /** Show secrets unmasked: the log then holds exactly what the action printed. */
    insecureSecrets?: boolean
  }
): Promise<ActRun> {
  const dir = scratch('ml-docker-act-')
  const observer = path.join(dir, 'observer.cjs')
  const observations = path.join(dir, 'observations.jsonl')
  writeFileSync(observer, OBSERVER)
  writeFileSync(observations, '')
  const args = [
    opts.event,
    '--workflows',
    path.join('.github', 'workflows', opts.workflow),
    '--eventpath',
    path.join(EVENTS, opts.payload),
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-cache-path',
    path.join(dir, 'cache'),
    '--action-offline-mode',
    '--no-cache-server',
    '--env',
    `NODE_OPTIONS=--require ${observer}`,
    '--env',
    `ML_DOCKER_ACT_OBSERVE=${observations}`
  ]
  for (const [k, v] of Object.entries(opts.vars)) args.push('--var', `${k}=${v}`)
  for (const [k, v] of Object.entries(opts.secrets ?? {})) args.push('--secret', `${k}=${v}`)
  if (opts.insecureSecrets) args.push('--insecure-secrets')
  const started = Date.now()
  const { code, output } = await spawnCollect(bed.actBin, args, actEnv(), repo)
  const seconds = (Date.now() - started) / 1000
  console.log(`act ${opts.event} ${opts.workflow}: exit ${code} in ${seconds.toFixed(1)}s`)
  return {
    code,
    log: output,
    seconds,
    observations: readFileSync(observations, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Observation)
  }
}

/** Repository variables that point the example workflows at the test bed. */
function bedVars(bed: Testbed, image: string, builder: string): Record<string, string> {
  return {
    IMAGE: `${bed.registry}/${image}`,
    BUILD_ARGS: `BASE_IMAGE=${bed.pythonImage}`,
    BUILDER: builder,
    TRIVY_CACHE_DIR: bed.trivyCacheClean,
    TRIVY_OFFLINE: 'true'
  }
}

/** The lines a step printed, without act's `[workflow/job]   | ` prefix. */
function stepLines(log: string): string[] {
  return log
    .split('\n')
    .map((l) => /^\[[^\]]+\]\s+\| (.*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
}

afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true })
})

describeTestbed('the example workflows under act', (bed) => {
  it("every workflow, ci.yml included, passes act's strict schema validation", async () => {
    const { code, output } = await spawnCollect(
      bed.actBin,
      [
        '--validate',
        '--strict',
        '--workflows',
        path.join('.github', 'workflows'),
        '-P',
        'ubuntu-latest=-self-hosted'
      ],
      actEnv(),
      ROOT
    )
    if (code !== 0) console.log(output)
    expect(code).toBe(0)
  })

  describe('a push of tag v1.2.3 runs example-release.yml', () => {
    const image = uniqueName('acme/act-release')
    let repo: string
    let run: ActRun

    beforeAll(async () => {
      repo = repositoryCopy()
      run = await runAct(bed, repo, {
        event: 'push',
        payload: 'push-tag-v1.2.3.json',
        workflow: 'example-release.yml',
        vars: {
          ...bedVars(bed, image, ''),
          REGISTRY: bed.registry,
          DOCKERHUB_USERNAME: bed.username
        },
        secrets: { DOCKERHUB_TOKEN: bed.password },
        // act masks every secret it was given by itself; unmasked, the password's absence from
        // the log is the action's own doing.
        insecureSecrets: true
      })
    }, 900_000)

    it('succeeds and pushes the semver tags, latest and the commit tag', () => {
      if (run.code !== 0) console.log(run.log)
      expect(run.code).toBe(0)
      expect(run.log).toMatch(/🏁 {2}Job succeeded/)
      const short = git(repo, 'rev-parse', '--short=7', 'HEAD')
      expect(registryTags(bed, image).sort()).toEqual(
        ['1', '1.2', '1.2.3', 'buildcache-main', 'latest', `sha-${short}`].sort()
      )
    })

    it('a later step read the outputs: the digest is the one the registry serves for 1.2.3', () => {
      const lines = stepLines(run.log)
      expect(lines).toContain('version: 1.2.3')
      const digest = lines.find((l) => l.startsWith('digest: '))?.slice('digest: '.length)
      expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
      expect(registryManifest(bed, `${image}:1.2.3`).digest).toBe(digest)
      for (const tag of ['1.2.3', '1.2', '1', 'latest']) {
        expect(lines).toContain(`tag: ${bed.registry}/${image}:${tag}`)
      }
    })

    it('the post step ran and removed the temporary Docker config; the smoke container is gone', () => {
      expect(run.log).toMatch(/⭐ Run Post \.\//)
      expect(run.log).toMatch(/✅ {2}Success - Post \.\//)
      const main = run.observations.find((o) => o.phase === 'main')
      const post = run.observations.find((o) => o.phase === 'post')
      const config = main?.state?.dockerConfig
      expect(config).toMatch(/ml-docker-config-/)
      expect(main?.dockerConfigExists).toBe(true)
      expect(post?.state).toEqual(main?.state)
      expect(post?.dockerConfigExists).toBe(false)
      const smoke = /\$ docker run --detach --name (\S+)/.exec(run.log)?.[1] ?? ''
      expect(smoke).toMatch(/^ml-docker-smoke-/)
      expect(sh('docker', ['ps', '-a', '-q', '--filter', `name=^${smoke}$`]).trim()).toBe('')
    })

    it('logged in with --password-stdin and never printed the password, even unmasked', () => {
      expect(run.log).toMatch(
        new RegExp(`\\$ docker login ${bed.registry} --username ${bed.username} --password-stdin`)
      )
      expect(run.log).not.toContain(bed.password)
    })
  })

  describe('a push of tag v1.2.3 whose image fails the scan gate', () => {
    const image = uniqueName('acme/act-vuln')
    const expected = (
      bed as unknown as {
        expectedVulns: {
          vulnerable: { VulnerabilityID: string }[]
          vulnerableIgnoreUnfixed: string[]
        }
      }
    ).expectedVulns
    let run: ActRun

    beforeAll(async () => {
      run = await runAct(bed, repositoryCopy(), {
        event: 'push',
        payload: 'push-tag-v1.2.3.json',
        workflow: 'example-release.yml',
        vars: {
          ...bedVars(bed, image, ''),
          // The test bed's DB that reports the base image's packages as vulnerable.
          TRIVY_CACHE_DIR: bed.trivyCacheVulnerable,
          REGISTRY: bed.registry,
          DOCKERHUB_USERNAME: bed.username
        },
        secrets: { DOCKERHUB_TOKEN: bed.password }
      })
    }, 900_000)

    it('fails the job and publishes no image tag', () => {
      expect(run.code).not.toBe(0)
      expect(run.log).toMatch(/🏁 {2}Job failed/)
      expect(run.log).toMatch(/❗ {2}::error::the scan found/)
      // The build writes its cache as it runs; no image tag may follow a failed gate.
      expect(registryTags(bed, image).filter((t) => !t.startsWith('buildcache-'))).toEqual([])
      expect(run.log).not.toMatch(/⭐ Run Main Published/)
    })

    it('annotates exactly the fixable findings: the example sets scan-ignore-unfixed', () => {
      // Workflow command properties escape ':' as %3A.
      const annotated = [...run.log.matchAll(/❗ {2}::error title=scan%3A (\S+?)::/g)].map(
        (m) => m[1]
      )
      expect(annotated.sort()).toEqual([...expected.vulnerableIgnoreUnfixed].sort())
      const unfixed = expected.vulnerable
        .map((v) => v.VulnerabilityID)
        .filter((id) => !expected.vulnerableIgnoreUnfixed.includes(id))
      expect(unfixed.length).toBeGreaterThan(0)
      for (const id of unfixed) expect(annotated).not.toContain(id)
    })
  })

  describe('a pull request from a fork runs example-pr.yml', () => {
    const image = uniqueName('acme/act-pr')
    let run: ActRun

    beforeAll(async () => {
      run = await runAct(bed, repositoryCopy(), {
        event: 'pull_request',
        payload: 'pull-request-fork.json',
        workflow: 'example-pr.yml',
        // A fork's pull request gets no secrets.
        vars: bedVars(bed, image, bed.builder)
      })
    }, 900_000)

    it('succeeds: linted, built, smoke-tested and scanned, push skipped', () => {
      if (run.code !== 0) console.log(run.log)
      expect(run.code).toBe(0)
      expect(run.log).toMatch(/🏁 {2}Job succeeded/)
      for (const stage of ['lint', 'meta', 'build', 'smoke', 'scan']) {
        expect(run.log).toMatch(new RegExp(`\\| ${stage} \\| ✅ passed`))
      }
      expect(run.log).toMatch(/\| push \| ⏭️ skipped/)
      expect(run.log).toMatch(/::set-output:: pushed=false/)
      expect(run.log).toMatch(/::set-output:: tag-names=pr-7$/m)
    })

    it('pushed nothing and attempted no login', () => {
      expect(registryTags(bed, image)).toEqual([])
      expect(run.log).not.toMatch(/docker login/)
      expect(run.log).not.toContain('--password-stdin')
      expect(run.observations.find((o) => o.phase === 'main')?.state?.dockerConfig).toBeUndefined()
    })
  })

  describe('a pull request whose Dockerfile fails the lint gate', () => {
    const image = uniqueName('acme/act-gate')
    let run: ActRun

    beforeAll(async () => {
      const repo = repositoryCopy()
      // The pull request replaces the example service with the lint seed (root user, unpinned
      // packages, Redis in the image, model files in the context, ...).
      const context = path.join(repo, 'examples', 'ml-service')
      rmSync(context, { recursive: true })
      cpSync(path.join(repo, 'test', 'fixtures', 'lint', 'seeds', '000'), context, {
        recursive: true
      })
      git(repo, 'add', '-A')
      git(repo, 'commit', '-q', '--no-gpg-sign', '-m', 'predictor with redis')
      run = await runAct(bed, repo, {
        event: 'pull_request',
        payload: 'pull-request-fork.json',
        workflow: 'example-pr.yml',
        vars: bedVars(bed, image, bed.builder)
      })
    }, 900_000)

    it('fails the job before anything is built', () => {
      expect(run.code).not.toBe(0)
      expect(run.log).toMatch(/🏁 {2}Job failed/)
      expect(run.log).toMatch(/❌ {2}Failure - Main \.\//)
      expect(run.log).not.toMatch(/\$ docker buildx build/)
      expect(registryTags(bed, image)).toEqual([])
    })

    it('reports the findings as annotations on the Dockerfile lines', () => {
      // act handles workflow commands itself: a warning is rendered with 🚧, an error with ❗.
      const annotations = run.log
        .split('\n')
        .map((l) => /(🚧|❗|❓) {2}::(error|warning|notice) ([^:]*)::(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map(([, icon, level, props, message]) => {
          const p = new Map(props.split(',').map((kv) => kv.split('=') as [string, string]))
          return {
            icon,
            level,
            message,
            title: p.get('title'),
            file: p.get('file'),
            line: p.get('line')
          }
        })
      const at = (title: string): string[] =>
        annotations.filter((a) => a.title === title).map((a) => `${a.file}:${a.line}`)
      const dockerfile = 'examples/ml-service/Dockerfile'
      expect(at('MLD012')).toEqual([`${dockerfile}:1`])
      expect(at('DL3008')).toEqual([`${dockerfile}:5`])
      expect(at('DL3025')).toEqual([`${dockerfile}:22`, `${dockerfile}:24`])
      const warnings = annotations.filter((a) => a.level === 'warning')
      expect(warnings).toHaveLength(12)
      expect(warnings.every((a) => a.icon === '🚧' && a.file === dockerfile)).toBe(true)
      expect(run.log).toMatch(/❗ {2}::error::lint found findings at or above "warning"/)
    })
  })
})
