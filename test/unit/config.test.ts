import { describe, expect, it } from '@jest/globals'
import {
  envInputSource,
  layeredSource,
  maskSecretInputs,
  parseConfig,
  parseKeyValues,
  parseList,
  parseRegistryAuth,
  type InputSource
} from '../../src/config.js'
import { DEFAULT_TAGS } from '../../src/meta/defaults.js'

const from =
  (values: Record<string, string>): InputSource =>
  (name) =>
    values[name]

describe('parseConfig', () => {
  it('gives every input the action.yml default', () => {
    const cfg = parseConfig(from({}), { cwd: '/work/repo' })
    expect(cfg.context).toBe('/work/repo')
    expect(cfg.file).toBe('/work/repo/Dockerfile')
    expect(cfg.tags).toBe(DEFAULT_TAGS)
    expect(cfg.push).toBe('auto')
    expect(cfg.registry).toBe('docker.io')
    expect(cfg.cache).toEqual({ mode: 'auto', ref: '', exportMode: 'max', compression: 'zstd' })
    expect(cfg.lint).toEqual({ enabled: true, threshold: undefined, configFile: '', ignore: [] })
    expect(cfg.smoke).toEqual({
      enabled: true,
      timeoutSeconds: 120,
      env: {},
      services: [],
      ports: [],
      args: [],
      gpus: '',
      shmSize: '',
      memory: '',
      readOnly: false
    })
    expect(cfg.scan.severities).toEqual(['CRITICAL', 'HIGH'])
    expect(cfg.scan.ignoreUnfixed).toBe(false)
    expect(cfg.scan.trivyVersion).toBe('0.74.0')
  })

  it('resolves paths against the workspace', () => {
    const cfg = parseConfig(
      from({ context: 'svc', file: 'svc/Dockerfile.prod', 'lint-config': 'cfg/h.yaml' }),
      {
        cwd: '/w'
      }
    )
    expect(cfg.context).toBe('/w/svc')
    expect(cfg.file).toBe('/w/svc/Dockerfile.prod')
    expect(cfg.lint.configFile).toBe('/w/cfg/h.yaml')
  })

  it('masks credentials and secret values before validating anything else', () => {
    const masked: string[] = []
    expect(() =>
      parseConfig(
        from({
          username: 'u',
          password: 'hunter2',
          secrets: 'HF_TOKEN=abc=def',
          'scan-severity': 'NOPE'
        }),
        {
          setSecret: (v) => masked.push(v)
        }
      )
    ).toThrow(/scan-severity/)
    expect(masked).toEqual(expect.arrayContaining(['hunter2', 'abc=def']))
  })

  it.each([
    [{ push: 'maybe' }, /push.*true or false/],
    [{ 'lint-failure-threshold': 'fatal' }, /lint-failure-threshold/],
    [{ 'scan-severity': 'HIGH,SEVERE' }, /unknown severity "SEVERE"/],
    [{ 'smoke-timeout': '-3' }, /smoke-timeout/],
    [{ 'trivy-version': 'latest' }, /exact version/],
    [{ platforms: 'linux/amd64,arm64' }, /platforms.*entry 2 is not a platform.*os\/arch/],
    [{ 'build-args': 'NOEQUALS' }, /build-args.*KEY=value/],
    [{ password: 'x' }, /username.*empty/],
    [{ 'cache-mode': 'all' }, /cache-mode/]
  ])('refuses %j with a message that says what to change', (values, message) => {
    expect(() => parseConfig(from(values as Record<string, string>))).toThrow(message)
  })

  it('parses lists, key/values and explicit cache refs', () => {
    const cfg = parseConfig(
      from({
        'build-args': 'A=1\nB=x=y\n# comment\n',
        cache: 'reg.example/team/cache:ml',
        'lint-ignore': 'dl3008, mld012',
        push: 'TRUE',
        'scan-severity': 'critical'
      })
    )
    expect(cfg.buildArgs).toEqual({ A: '1', B: 'x=y' })
    expect(cfg.cache).toEqual({
      mode: 'explicit',
      ref: 'reg.example/team/cache:ml',
      exportMode: 'max',
      compression: 'zstd'
    })
    expect(parseConfig(from({ 'cache-compression': 'GZIP' })).cache.compression).toBe('gzip')
    expect(() => parseConfig(from({ 'cache-compression': 'lz4' }))).toThrow(
      /Input "cache-compression" must be zstd or gzip, got "lz4"/
    )
    expect(cfg.lint.ignore).toEqual(['DL3008', 'MLD012'])
    expect(cfg.push).toBe('true')
    expect(cfg.scan.severities).toEqual(['CRITICAL'])
    expect(parseConfig(from({ cache: 'off' })).cache.mode).toBe('off')
  })

  it('an explicitly empty tags input stays empty (metadata-action defaults)', () => {
    expect(parseConfig(from({ tags: '' })).tags).toBe('')
  })

  it('uses cliDefault for expression defaults only in the CLI', () => {
    expect(parseConfig(from({}), { cli: true }).githubToken).toBe('')
    expect(parseConfig(from({})).githubToken).toBe('${{ github.token }}')
  })
})

describe('input sources', () => {
  it('reads INPUT_* the way the runner writes them', () => {
    const src = envInputSource({ 'INPUT_SCAN-SEVERITY': 'LOW', INPUT_PUSH: 'false' })
    expect(src('scan-severity')).toBe('LOW')
    expect(src('push')).toBe('false')
    expect(src('tags')).toBeUndefined()
  })
  it('layers flags over the environment', () => {
    const src = layeredSource(
      from({ push: 'true' }),
      envInputSource({ INPUT_PUSH: 'false', INPUT_IMAGES: 'a/b' })
    )
    expect(src('push')).toBe('true')
    expect(src('images')).toBe('a/b')
  })
  it('splits lists and key/values', () => {
    expect(parseList(' a, b\n\n#c\nd ')).toEqual(['a', 'b', 'd'])
    expect(parseList('a,b\nc', false)).toEqual(['a,b', 'c'])
    expect(parseKeyValues('x', 'K=v=w')).toEqual({ K: 'v=w' })
  })
})

describe('builder inputs', () => {
  it('refuses builder-creation options together with an existing builder or endpoint', () => {
    expect(() => parseConfig(from({ 'buildkit-image': 'm/bk:1', builder: 'mine' }))).toThrow(
      /cannot\s+apply to an existing/
    )
    expect(() =>
      parseConfig(from({ 'buildkitd-config': 'bk.toml', 'buildkit-endpoint': 'tcp://x:1' }))
    ).toThrow(/Remove one/)
    expect(
      parseConfig(from({ 'buildkitd-config': 'bk.toml' }), { cwd: '/w' }).buildkitdConfig
    ).toBe('/w/bk.toml')
  })
})

describe('credentials', () => {
  it('a malformed line of a credential input is named by number, never quoted', () => {
    expect(() => parseKeyValues('secrets', 'A=1\n\nqqq-token')).toThrow(
      'Input "secrets", line 3: expected KEY=value (the line is not shown: it holds a credential).'
    )
    expect(() => parseKeyValues('build-args', 'A=1\nB')).toThrow(
      'Input "build-args", line 2: expected KEY=value, got "B".'
    )
  })

  it('registers every credential input whole, by line and by value, before parsing', () => {
    const seen: string[] = []
    const source: InputSource = (name) =>
      ({ password: 'pw', secrets: 'A=a1\n  B=b=2 \n# c', 'github-token': 'tok', images: 'x' })[name]
    maskSecretInputs(source, (v) => seen.push(v), true)
    expect(seen).toEqual(
      expect.arrayContaining(['pw', 'A=a1\n  B=b=2 \n# c', 'A=a1', 'a1', 'B=b=2', 'b=2', 'tok'])
    )
    expect(seen).not.toContain('x')
    // parseConfig masks first even when a later input is malformed.
    const masked: string[] = []
    expect(() =>
      parseConfig((n) => ({ secrets: 'oops', 'github-token': 'tok' })[n], {
        setSecret: (v) => masked.push(v)
      })
    ).toThrow(/line 1/)
    expect(masked).toEqual(expect.arrayContaining(['oops', 'tok']))
  })
})

describe('registry-auth', () => {
  it('reads one registry=,username=,password= block per line; a password may hold commas', () => {
    const auth = parseRegistryAuth(
      '\n# hub\nregistry=index.docker.io,username=acme,password=dckr_pat_x\n' +
        ' registry = https://registry.example.com/ , username=bot , password=a,b=c \n'
    )
    expect(auth).toEqual([
      { registry: 'docker.io', username: 'acme', password: 'dckr_pat_x', line: 3 },
      { registry: 'registry.example.com', username: 'bot', password: 'a,b=c', line: 4 }
    ])
  })
  it.each([
    ['registry=a,username=u', /line 1: "password" is missing or empty/],
    ['username=u,password=p', /line 1: "registry" is missing or empty/],
    ['registry=a,username=u,password=', /line 1: "password" is missing/],
    ['registry=a', /line 1: "username" and "password" are missing/],
    [
      'registry=a,username=u,passwd=xyz',
      /line 1: expected registry=HOST,username=USER,password=SECRET/
    ],
    [
      'registry=b,username=u,password=p\nregistry=a,username=u,password=p,username=v',
      /line 2: "username" is given twice/
    ],
    ['registry=a/b,username=u,password=p', /line 1: "registry" must be a host name/],
    [
      'registry=docker.io,username=u,password=p\n\nregistry=registry-1.docker.io,username=v,password=q',
      /lines 1 and 3 both give credentials for docker.io/
    ]
  ])('%j is refused in one line that never shows the value', (value, message) => {
    let err: Error | undefined
    try {
      parseRegistryAuth(value)
    } catch (e) {
      err = e as Error
    }
    expect(err?.name).toBe('UserError')
    expect(err?.message).toMatch(message)
    expect(err?.message).not.toMatch(/\n/)
    for (const secret of ['=p', 'xyz', '=q']) expect(err?.message).not.toContain(secret)
  })
  it('refuses credentials for the same registry in username/password and registry-auth', () => {
    expect(() =>
      parseConfig(
        from({
          registry: 'registry.example.com',
          username: 'me',
          password: 'pw',
          'registry-auth': 'registry=registry.example.com,username=bot,password=tok'
        }),
        { cli: true }
      )
    ).toThrow(
      'Credentials for registry.example.com are given twice: by "username"/"password" and by "registry-auth" line 1. Keep one.'
    )
  })
  it("masks each password (and any misspelt key's value) before parsing", () => {
    const seen: string[] = []
    maskSecretInputs(
      from({
        'registry-auth':
          'registry=registry.example.com,username=bot,password=to,ken\nregistry=x,username=y,pasword=abc'
      }),
      (v) => seen.push(v),
      true
    )
    expect(seen).toEqual(expect.arrayContaining(['to,ken', 'abc']))
    expect(seen).not.toContain('registry.example.com')
    expect(seen).not.toContain('bot')
  })
})
