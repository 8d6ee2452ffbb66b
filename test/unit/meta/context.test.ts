import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { contextFromEnvironment, parseRemoteUrl } from '../../../src/meta/index.js'

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37'

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'meta-ctx-'))
}

function gitRepo(): string {
  const dir = tmp()
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'T',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 'T',
        GIT_COMMITTER_EMAIL: 't@example.com',
        GIT_COMMITTER_DATE: '2021-03-04T05:06:07Z',
        GIT_AUTHOR_DATE: '2021-03-04T05:06:07Z'
      }
    })
      .toString()
      .trim()
  git('init', '-q', '-b', 'main')
  writeFileSync(path.join(dir, 'app.py'), 'print(1)\n')
  git('add', 'app.py')
  git('commit', '-q', '-m', 'first')
  return dir
}

function run(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir }).toString().trim()
}

describe('contextFromEnvironment in a workflow', () => {
  it('reads event name, ref, sha, payload and repository data without the network', async () => {
    const dir = tmp()
    const eventPath = path.join(dir, 'event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({
        repository: {
          name: 'ml-service',
          full_name: 'acme/ml-service',
          html_url: 'https://github.com/acme/ml-service',
          description: 'Sentiment',
          license: { spdx_id: 'MIT' },
          default_branch: 'trunk'
        },
        head_commit: { id: SHA, timestamp: '2020-01-09T22:15:30+01:00' }
      })
    )
    const ctx = await contextFromEnvironment({
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/trunk',
      GITHUB_SHA: SHA,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'acme/ml-service'
    })
    expect(ctx).toMatchObject({
      eventName: 'push',
      ref: 'refs/heads/trunk',
      sha: SHA,
      source: 'workflow',
      defaultBranch: 'trunk'
    })
    expect(ctx.repository).toEqual({
      fullName: 'acme/ml-service',
      name: 'ml-service',
      description: 'Sentiment',
      htmlUrl: 'https://github.com/acme/ml-service',
      license: 'MIT',
      defaultBranch: 'trunk'
    })
    expect(ctx.commitDate?.toISOString()).toBe('2020-01-09T21:15:30.000Z')
    rmSync(dir, { recursive: true })
  })

  it('uses GITHUB_EVENT_NAME alone as the sign of a workflow and survives a missing payload file', async () => {
    const ctx = await contextFromEnvironment({
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: SHA,
      GITHUB_EVENT_PATH: '/nonexistent/event.json',
      GITHUB_REPOSITORY: 'acme/ml-service',
      GITHUB_SERVER_URL: 'https://ghe.example.com/'
    })
    expect(ctx.source).toBe('workflow')
    expect(ctx.payload).toEqual({})
    expect(ctx.repository).toMatchObject({
      name: 'ml-service',
      htmlUrl: 'https://ghe.example.com/acme/ml-service'
    })
    expect(ctx.notes?.join('\n')).toMatch(/cannot read the event payload/)
  })

  it('ignores a payload that is not a JSON object', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'e.json'), '[1,2]')
    const ctx = await contextFromEnvironment({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: path.join(dir, 'e.json')
    })
    expect(ctx.payload).toEqual({})
    expect(ctx.notes?.join('\n')).toMatch(/not a JSON object/)
    rmSync(dir, { recursive: true })
  })

  it('reads the commit date from the checkout in GITHUB_WORKSPACE when the payload has none', async () => {
    const repo = gitRepo()
    const sha = run(repo, 'rev-parse', 'HEAD')
    const ctx = await contextFromEnvironment({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/3/merge',
      GITHUB_SHA: sha,
      GITHUB_WORKSPACE: repo
    })
    expect(ctx.commitDate?.toISOString()).toBe('2021-03-04T05:06:07.000Z')
    rmSync(repo, { recursive: true, force: true })
  })
})

describe('contextFromEnvironment with the GitHub API as a fallback', () => {
  let server: Server
  let base: string
  const requests: IncomingMessage[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req)
      res.setHeader('content-type', 'application/json')
      if (req.url === '/repos/acme/ml-service') {
        res.end(
          JSON.stringify({
            name: 'ml-service',
            full_name: 'acme/ml-service',
            html_url: 'https://github.com/acme/ml-service',
            description: 'From the API',
            license: { spdx_id: 'Apache-2.0' },
            default_branch: 'main'
          })
        )
      } else if (req.url === `/repos/acme/ml-service/commits/${SHA}`) {
        res.end(JSON.stringify({ commit: { committer: { date: '2019-12-31T23:59:59Z' } } }))
      } else if (req.url?.startsWith('/slow/')) {
        setTimeout(() => res.end('{}'), 2000)
      } else {
        res.statusCode = 404
        res.end('{"message":"Not Found"}')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const scheduleEnv = (api: string): NodeJS.ProcessEnv => ({
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'acme/ml-service',
    GITHUB_API_URL: api
  })

  it('asks the API for what the payload lacks when a token is given', async () => {
    requests.length = 0
    const ctx = await contextFromEnvironment(scheduleEnv(base), { token: 's3cret' })
    expect(ctx.repository).toMatchObject({
      description: 'From the API',
      license: 'Apache-2.0',
      defaultBranch: 'main'
    })
    expect(ctx.defaultBranch).toBe('main')
    expect(ctx.commitDate?.toISOString()).toBe('2019-12-31T23:59:59.000Z')
    expect(requests.map((r) => r.url).sort()).toEqual([
      '/repos/acme/ml-service',
      `/repos/acme/ml-service/commits/${SHA}`
    ])
    expect(requests[0].headers['authorization']).toBe('Bearer s3cret')
  })

  it('makes no request without a token', async () => {
    requests.length = 0
    const ctx = await contextFromEnvironment(scheduleEnv(base), {})
    expect(requests).toHaveLength(0)
    expect(ctx.repository?.description).toBeUndefined()
    expect(ctx.commitDate).toBeUndefined()
  })

  it('makes no repository request when the payload has the repository', async () => {
    requests.length = 0
    const dir = tmp()
    writeFileSync(
      path.join(dir, 'e.json'),
      JSON.stringify({ repository: { name: 'x', full_name: 'acme/ml-service', description: null } })
    )
    const ctx = await contextFromEnvironment(
      { ...scheduleEnv(base), GITHUB_EVENT_PATH: path.join(dir, 'e.json') },
      { token: 't' }
    )
    expect(requests.map((r) => r.url)).toEqual([`/repos/acme/ml-service/commits/${SHA}`])
    expect(ctx.repository?.description).toBeUndefined()
    rmSync(dir, { recursive: true })
  })

  it('never fails when the API is unreachable', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const ctx = await contextFromEnvironment(scheduleEnv(`http://127.0.0.1:${port}`), {
      token: 't'
    })
    expect(ctx.commitDate).toBeUndefined()
    expect(ctx.notes?.join('\n')).toMatch(/GitHub API unavailable for repository data/)
    expect(ctx.notes?.join('\n')).toMatch(/GitHub API unavailable for the commit date/)
  })

  it('never fails on an error status or a slow API', async () => {
    const notFound = await contextFromEnvironment(
      { ...scheduleEnv(base), GITHUB_REPOSITORY: 'acme/gone' },
      { token: 't' }
    )
    expect(notFound.notes?.join('\n')).toMatch(/HTTP 404/)
    const started = Date.now()
    const slow = await contextFromEnvironment(scheduleEnv(`${base}/slow`), {
      token: 't',
      apiTimeoutMs: 200
    })
    expect(Date.now() - started).toBeLessThan(1500)
    expect(slow.commitDate).toBeUndefined()
  })
})

describe('contextFromEnvironment from a local repository', () => {
  it('reads branch, sha, commit date, remote and default branch', async () => {
    const repo = gitRepo()
    run(repo, 'checkout', '-q', '-b', 'feature/tokenizer')
    run(repo, 'remote', 'add', 'origin', 'git@github.com:Acme/ML-Service.git')
    run(repo, 'update-ref', 'refs/remotes/origin/main', 'HEAD')
    run(repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main')
    const ctx = await contextFromEnvironment({}, { cwd: repo })
    expect(ctx).toMatchObject({
      source: 'git',
      eventName: 'push',
      ref: 'refs/heads/feature/tokenizer',
      sha: run(repo, 'rev-parse', 'HEAD'),
      defaultBranch: 'main',
      payload: {}
    })
    expect(ctx.repository).toMatchObject({
      name: 'ML-Service',
      fullName: 'Acme/ML-Service',
      htmlUrl: 'https://github.com/Acme/ML-Service'
    })
    expect(ctx.commitDate?.toISOString()).toBe('2021-03-04T05:06:07.000Z')
    rmSync(repo, { recursive: true, force: true })
  })

  it('gives the tag ref on a detached HEAD at a tag, the highest version first', async () => {
    const repo = gitRepo()
    run(repo, 'tag', 'v1.2.3')
    run(repo, 'tag', 'v1.10.0')
    run(repo, 'checkout', '-q', '--detach', 'HEAD')
    const ctx = await contextFromEnvironment({}, { cwd: repo })
    expect(ctx.ref).toBe('refs/tags/v1.10.0')
    rmSync(repo, { recursive: true, force: true })
  })

  it('names the directory when there is no remote', async () => {
    const repo = gitRepo()
    const ctx = await contextFromEnvironment({}, { cwd: repo })
    expect(ctx.repository?.name).toBe(path.basename(repo))
    expect(ctx.repository?.htmlUrl).toBeUndefined()
    rmSync(repo, { recursive: true, force: true })
  })

  it('does not throw outside a repository', async () => {
    const dir = tmp()
    const ctx = await contextFromEnvironment({}, { cwd: dir })
    expect(ctx).toMatchObject({ source: 'none', sha: '', ref: '' })
    expect(ctx.notes?.[0]).toMatch(/not a git repository/)
    rmSync(dir, { recursive: true })
  })
})

describe('parseRemoteUrl', () => {
  it.each([
    ['git@github.com:acme/ml-service.git', 'https://github.com/acme/ml-service', 'acme/ml-service'],
    [
      'https://github.com/acme/ml-service.git',
      'https://github.com/acme/ml-service',
      'acme/ml-service'
    ],
    [
      'https://x-access-token:abc@github.com/acme/ml-service',
      'https://github.com/acme/ml-service',
      'acme/ml-service'
    ],
    [
      'ssh://git@gitlab.example.com:2222/group/sub/app.git',
      'https://gitlab.example.com/group/sub/app',
      'group/sub/app'
    ],
    ['http://localhost:3000/team/app.git', 'https://localhost:3000/team/app', 'team/app']
  ])('%s', (url, htmlUrl, fullName) => {
    expect(parseRemoteUrl(url)).toEqual({ htmlUrl, fullName })
  })
  it.each(['/srv/git/app.git', 'file:///srv/git/app.git', 'github.com:app'])(
    'rejects %s',
    (url) => {
      expect(parseRemoteUrl(url)).toBeUndefined()
    }
  )
})
