import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { parseConfig } from '../../src/config.js'
import {
  healthFlags,
  parsePortOutput,
  runArgv,
  worstCaseWithFlags,
  type RunPlan
} from '../../src/smoke/args.js'
import { EventLog, parseEvent } from '../../src/smoke/events.js'
import {
  instructionOf,
  largestLayers,
  parseStatSize,
  parseStatsLine,
  uncompressedSize
} from '../../src/smoke/figures.js'
import type { SmokeResult } from '../../src/smoke/index.js'
import { isLoopbackRegistry, parsePublished } from '../../src/smoke/published.js'
import { compressedFromSave, measureSave } from '../../src/smoke/size.js'
import {
  dockerSize,
  formatBytes,
  looksLikeRequest,
  parseArgs,
  parseExpect,
  parsePorts,
  parseProbe,
  parseRequest,
  parseServices,
  parseSize
} from '../../src/smoke/spec.js'
import { smokeMarkdown, smokeOutputs, smokeText } from '../../src/smoke/summary.js'

const NS = 1_000_000_000

describe('smoke inputs', () => {
  it('parses the three probe forms and refuses anything else', () => {
    expect(parseProbe('')).toBeUndefined()
    expect(parseProbe('healthcheck')).toEqual({ kind: 'healthcheck' })
    expect(parseProbe('http://:8080/health')).toEqual({
      kind: 'http',
      port: 8080,
      path: '/health',
      url: 'http://:8080/health'
    })
    expect(parseProbe('http://localhost:9000')).toMatchObject({ port: 9000, path: '/' })
    expect(parseProbe('cmd: curl -fsS localhost:8080/ready')).toEqual({
      kind: 'cmd',
      command: 'curl -fsS localhost:8080/ready'
    })
    expect(() => parseProbe('cmd:')).toThrow(/needs a command/)
    expect(() => parseProbe('http://example.com:80/x')).toThrow(/smoke-probe/)
    expect(() => parseProbe('http://:70000/x')).toThrow(/not a port/)
    expect(() => parseProbe('tcp://:80')).toThrow(/healthcheck/)
  })

  it('parses a request: method, path, headers, body; CRLF and a default JSON content type', () => {
    expect(
      parseRequest('POST /predict\r\nX-Trace: 1\r\n\r\n{"features": [5.1, 3.5, 1.4, 0.2]}\n')
    ).toEqual({
      method: 'POST',
      path: '/predict',
      headers: { 'X-Trace': '1', 'Content-Type': 'application/json' },
      body: '{"features": [5.1, 3.5, 1.4, 0.2]}'
    })
    expect(parseRequest('GET /v1/models')).toEqual({
      method: 'GET',
      path: '/v1/models',
      headers: {},
      body: ''
    })
    // The body is kept as written, blank lines included; an explicit content type wins.
    expect(parseRequest('PUT /x HTTP/1.1\nContent-Type: text/csv\n\na,b\n\n1,2')).toEqual({
      method: 'PUT',
      path: '/x',
      headers: { 'Content-Type': 'text/csv' },
      body: 'a,b\n\n1,2'
    })
    expect(() => parseRequest('predict please')).toThrow(/METHOD \/path/)
    expect(() => parseRequest('FETCH /x')).toThrow(/unknown method FETCH/)
    expect(() => parseRequest('POST /x\nnot a header\n\n{}')).toThrow(/line 2/)
    expect(looksLikeRequest('POST /predict\n\n{}')).toBe(true)
    expect(looksLikeRequest('ci/predict.http')).toBe(false)
  })

  it('compiles smoke-expect and reports a bad expression', () => {
    expect(parseExpect('"label":\\s*"setosa"')?.test('{"label": "setosa"}')).toBe(true)
    expect(parseExpect('  ')).toBeUndefined()
    expect(() => parseExpect('(unclosed')).toThrow(/smoke-expect.*regular expression/)
  })

  it('parses sidecars as NAME=IMAGE lines with usable host names', () => {
    expect(parseServices('redis=redis:7\n# cache\n db = 127.0.0.1:5001/pg:16 \n')).toEqual([
      { name: 'redis', image: 'redis:7' },
      { name: 'db', image: '127.0.0.1:5001/pg:16' }
    ])
    expect(() => parseServices('redis')).toThrow(/NAME=IMAGE/)
    expect(() => parseServices('Redis_1=redis:7')).toThrow(/host name/)
    expect(() => parseServices('a=x\na=y')).toThrow(/used twice/)
  })

  it('parses ports, args and sizes', () => {
    expect(parsePorts('8080, 9000/udp\n8081/tcp')).toEqual(['8080/tcp', '9000/udp', '8081/tcp'])
    expect(() => parsePorts('127.0.0.1:8080:8080')).toThrow(/host side is chosen/)
    expect(parseArgs('["python", "serve.py", "--port", "8080"]')).toEqual([
      'python',
      'serve.py',
      '--port',
      '8080'
    ])
    expect(parseArgs('python -c "print(1 + 1)" \'\'')).toEqual(['python', '-c', 'print(1 + 1)', ''])
    expect(parseArgs('sh\n-c\necho a b')).toEqual(['sh', '-c', 'echo a b'])
    expect(() => parseArgs('[1, 2]')).toThrow(/JSON array of strings/)
    expect(() => parseArgs('echo "x')).toThrow(/unbalanced/)
    expect(parseSize('max-image-size', '800MB')).toBe(800_000_000)
    expect(parseSize('max-image-size', '1.5GiB')).toBe(1.5 * 1024 ** 3)
    expect(parseSize('max-image-size', '123')).toBe(123)
    expect(parseSize('max-image-size', '')).toBeUndefined()
    expect(() => parseSize('max-image-size', '800 megs')).toThrow(/800MB/)
    expect(dockerSize('smoke-memory', '512M')).toBe('512m')
    expect(() => dockerSize('smoke-memory', '512MB')).toThrow(/512m or 2g/)
    expect(formatBytes(999)).toBe('999B')
    expect(formatBytes(123_456_789)).toBe('123MB')
    expect(formatBytes(12_345_678)).toBe('12.3MB')
    expect(formatBytes(-1_500_000)).toBe('-1.50MB')
  })

  it('reads the inputs into the config, a request file relative to the workspace', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'smoke-cfg-'))
    writeFileSync(path.join(dir, 'predict.http'), 'POST /predict\n\n{"instances": [[1, 2]]}\n')
    const cfg = parseConfig(
      (n) =>
        ({
          'smoke-request': 'predict.http',
          'smoke-expect': 'predictions',
          'smoke-services': 'redis=127.0.0.1:5001/testbed/redis:7',
          'smoke-memory': '256m',
          'smoke-read-only': 'true',
          'smoke-gpus': 'all',
          'max-image-size': '800MB'
        })[n],
      { cwd: dir }
    )
    expect(cfg.smoke.request).toEqual({
      method: 'POST',
      path: '/predict',
      headers: { 'Content-Type': 'application/json' },
      body: '{"instances": [[1, 2]]}'
    })
    expect(cfg.smoke).toMatchObject({
      memory: '256m',
      readOnly: true,
      gpus: 'all',
      maxImageSize: 800_000_000,
      services: [{ name: 'redis', image: '127.0.0.1:5001/testbed/redis:7' }]
    })
    expect(() =>
      parseConfig((n) => ({ 'smoke-request': 'missing.http' })[n], { cwd: dir })
    ).toThrow(/neither a request.*nor an existing file/)
    expect(() => parseConfig((n) => ({ 'smoke-expect': 'ok' })[n], { cwd: dir })).toThrow(
      /smoke-expect.*smoke-request/
    )
  })
})

const plan: RunPlan = {
  name: 'ml-docker-smoke-1',
  image: 'img:1',
  labels: { 'io.github.ml-docker-action.smoke': '1' },
  env: { A: 'x=y' },
  publish: [],
  args: [],
  health: []
}

describe('docker run argv', () => {
  it('is minimal by default', () => {
    expect(runArgv(plan)).toEqual([
      'run',
      '--detach',
      '--name',
      'ml-docker-smoke-1',
      '--label',
      'io.github.ml-docker-action.smoke=1',
      '--env',
      'A=x=y',
      'img:1'
    ])
  })

  it('passes every runtime option, ports on loopback only, the command last', () => {
    const argv = runArgv({
      ...plan,
      network: 'net1',
      alias: 'redis',
      publish: ['8080/tcp'],
      args: ['python', 'serve.py'],
      gpus: 'all',
      shmSize: '1g',
      memory: '256m',
      readOnly: true,
      health: ['--no-healthcheck']
    })
    expect(argv.join(' ')).toContain('--network net1 --network-alias redis')
    expect(argv.join(' ')).toContain('--publish 127.0.0.1::8080/tcp')
    expect(argv.join(' ')).toContain('--gpus all')
    expect(argv.join(' ')).toContain('--shm-size 1g')
    expect(argv.join(' ')).toContain('--memory 256m --memory-swap 256m')
    expect(argv.join(' ')).toContain('--read-only --tmpfs /tmp')
    expect(argv.slice(-4)).toEqual(['--no-healthcheck', 'img:1', 'python', 'serve.py'])
  })

  it("keeps the image's check and runs it every 250 ms during a start period of at least one interval", () => {
    const hc = { Test: ['CMD', 'true'], Interval: 30 * NS, Timeout: 5 * NS, Retries: 3 }
    expect(healthFlags({ kind: 'healthcheck' }, hc, 120)).toEqual([
      '--health-start-period',
      '30000ms',
      '--health-start-interval',
      '250ms'
    ])
    // A longer start period of the image is kept as it is.
    expect(healthFlags({ kind: 'healthcheck' }, { ...hc, StartPeriod: 60 * NS }, 120)[1]).toBe(
      '60000ms'
    )
    expect(worstCaseWithFlags({ ...hc, Interval: 1 * NS, Timeout: 1 * NS })).toBe(1 + 2 * 3)
    expect(healthFlags({ kind: 'http', port: 1, path: '/', url: '' }, hc, 120)).toEqual([
      '--no-healthcheck'
    ])
    const cmd = healthFlags({ kind: 'cmd', command: 'test -f /ready' }, null, 90)
    expect(cmd.slice(0, 2)).toEqual(['--health-cmd', 'test -f /ready'])
    expect(cmd.join(' ')).toContain('--health-start-period 90000ms --health-start-interval 250ms')
  })

  it('reads the host port docker picked', () => {
    expect(parsePortOutput('127.0.0.1:32768\n')).toBe(32768)
    expect(parsePortOutput('0.0.0.0:1\n[::]:1')).toBe(1)
    expect(parsePortOutput('')).toBeUndefined()
  })
})

const event = (
  action: string,
  name: string,
  attrs: Record<string, string> = {},
  t = 1000
): string =>
  JSON.stringify({
    Type: 'container',
    Action: action,
    Actor: { ID: 'abc', Attributes: { name, ...attrs } },
    scope: 'local',
    time: t,
    timeNano: t * NS + 500_000_000
  })

describe('event stream', () => {
  it('classifies the deciding events, with engine times and the exit code', () => {
    expect(parseEvent(event('health_status: healthy', 'c1'), 5)).toEqual({
      name: 'c1',
      id: 'abc',
      kind: 'healthy',
      at: 1_000_500,
      received: 5
    })
    expect(parseEvent(event('health_status: unhealthy', 'c1'))?.kind).toBe('unhealthy')
    expect(parseEvent(event('die', 'c1', { exitCode: '7' }))).toMatchObject({
      kind: 'die',
      exitCode: 7
    })
    expect(parseEvent(event('oom', 'c1'))?.kind).toBe('oom')
    expect(parseEvent(event('exec_start: sh -c true', 'c1'))?.kind).toBe('other')
    expect(parseEvent('not json')).toBeUndefined()
    expect(
      parseEvent(JSON.stringify({ Type: 'network', Action: 'create', Actor: { ID: 'n' } }))
    ).toBe(undefined)
  })

  it('hands out events seen before the wait, and wakes a waiter at once', async () => {
    const log = new EventLog()
    log.push(parseEvent(event('start', 'svc'))!)
    await expect(log.next('svc', ['start'], 0)).resolves.toMatchObject({ kind: 'start' })
    const waiting = log.next('svc', ['healthy', 'die'], 10_000)
    log.push(parseEvent(event('health_status: healthy', 'other'))!)
    log.push(parseEvent(event('oom', 'svc'))!)
    log.push(parseEvent(event('die', 'svc', { exitCode: '137' }))!)
    await expect(waiting).resolves.toMatchObject({ kind: 'die', exitCode: 137 })
    expect(log.oomKilled('svc')).toBe(true)
    expect(log.oomKilled('other')).toBe(false)
    await expect(log.next('svc', ['healthy'], 5)).resolves.toBeUndefined()
    const pending = log.next('svc', ['healthy'], 10_000)
    log.close()
    await expect(pending).resolves.toBeUndefined()
  })
})

describe('figures', () => {
  it('turns history lines into the instructions that made them', () => {
    expect(
      instructionOf(
        'RUN |1 BASE_IMAGE=127.0.0.1:5001/py /bin/sh -c pip install -r r.txt # buildkit'
      )
    ).toBe('RUN pip install -r r.txt')
    expect(instructionOf('COPY app/ /app/ # buildkit')).toBe('COPY app/ /app/')
    expect(instructionOf('/bin/sh -c #(nop)  CMD ["python"]')).toBe('CMD ["python"]')
    expect(instructionOf('/bin/sh -c apt-get update')).toBe('RUN apt-get update')
    expect(instructionOf('x'.repeat(300)).length).toBe(120)
  })

  it('lists the five largest layers, biggest first', () => {
    // docker history: newest first
    const rows = [
      { CreatedBy: 'CMD ["x"]', Size: '0' },
      { CreatedBy: 'COPY a /a', Size: '10' },
      { CreatedBy: 'RUN b', Size: '500' },
      { CreatedBy: 'RUN c', Size: '20' },
      { CreatedBy: 'RUN d', Size: '500' },
      { CreatedBy: 'RUN e', Size: '30' },
      { CreatedBy: '', Comment: 'Imported from -', Size: '1000' }
    ]
    expect(largestLayers(rows)).toEqual([
      { size: 1000, instruction: 'Imported from -' },
      { size: 500, instruction: 'RUN d' },
      { size: 500, instruction: 'RUN b' },
      { size: 30, instruction: 'RUN e' },
      { size: 20, instruction: 'RUN c' }
    ])
  })

  it('reads memory from docker stats lines, terminal escapes included', () => {
    expect(parseStatSize('12.5MiB')).toBe(Math.round(12.5 * 1024 * 1024))
    expect(parseStatSize('1.2GB')).toBe(1_200_000_000)
    expect(parseStatSize('--')).toBeUndefined()
    expect(
      parseStatsLine(
        '\x1b[2J\x1b[H{"BlockIO":"0B / 0B","Container":"ml","MemUsage":"20.5MiB / 256MiB","Name":"ml-docker-smoke-1"}'
      )
    ).toEqual({ name: 'ml-docker-smoke-1', memory: Math.round(20.5 * 1024 * 1024) })
    expect(parseStatsLine('{"Name":"x","MemUsage":"-- / --"}')).toBeUndefined()
  })

  it('parses the published manifest, single or per platform', () => {
    const single = JSON.stringify({
      Ref: 'r',
      Descriptor: { digest: 'sha256:m', size: 1 },
      SchemaV2Manifest: {
        layers: [
          { digest: 'sha256:a', size: 100 },
          { digest: 'sha256:b', size: 20 }
        ]
      }
    })
    expect(parsePublished('r:1', single, 'linux/amd64')).toEqual({
      ref: 'r:1',
      compressed: 120,
      layers: ['sha256:a', 'sha256:b']
    })
    const index = JSON.stringify([
      {
        Descriptor: { platform: { os: 'linux', architecture: 'arm64' } },
        OCIManifest: { layers: [{ digest: 'sha256:c', size: 7 }] }
      },
      {
        Descriptor: { platform: { os: 'linux', architecture: 'amd64' } },
        OCIManifest: { layers: [{ digest: 'sha256:d', size: 9 }] }
      },
      {
        Descriptor: { platform: { os: 'unknown', architecture: 'unknown' } },
        OCIManifest: { layers: [{ digest: 'sha256:e', size: 1 }] }
      }
    ])
    expect(parsePublished('r:1', index, 'linux/amd64')?.compressed).toBe(9)
    expect(parsePublished('r:1', index, 'linux/s390x')).toBeUndefined()
    expect(isLoopbackRegistry('127.0.0.1:5000/acme/x:1')).toBe(true)
    expect(isLoopbackRegistry('localhost:5000/x')).toBe(true)
    expect(isLoopbackRegistry('ghcr.io/acme/x:1')).toBe(false)
    expect(isLoopbackRegistry('acme/x')).toBe(false)
  })
})

/** A tar archive, as `docker save` writes one (ustar headers, 512-byte blocks). */
function tar(files: Record<string, Buffer>): Buffer {
  const parts: Buffer[] = []
  for (const [name, data] of Object.entries(files)) {
    const h = Buffer.alloc(512)
    h.write(name, 0)
    h.write('0000644\0', 100)
    h.write('0000000\0', 108)
    h.write('0000000\0', 116)
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124)
    h.write('00000000000\0', 136)
    h.write('0', 156)
    h.write('ustar\0', 257)
    h.write('00', 263)
    h.fill(' ', 148, 156)
    let sum = 0
    for (const b of h) sum += b
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

describe('compressed size from docker save', () => {
  const layerTar = tar({ 'usr/lib/model.bin': Buffer.alloc(200_000, 7) })
  const gz = gzipSync(tar({ 'app/x.py': Buffer.from('print(1)\n'.repeat(1000)) }))
  const hexA = 'a'.repeat(64)
  const hexB = 'b'.repeat(64)

  const measure = async (files: Record<string, Buffer>, chunk: number) => {
    const whole = tar(files)
    const chunks: Buffer[] = []
    for (let i = 0; i < whole.length; i += chunk) chunks.push(whole.subarray(i, i + chunk))
    const m = await measureSave(Readable.from(chunks))
    return compressedFromSave(m.manifest, m.files)
  }

  it('counts stored compressed blobs as they are, whatever the chunking', async () => {
    const files = {
      [`blobs/sha256/${hexA}`]: gz,
      'manifest.json': Buffer.from(
        JSON.stringify([{ Config: 'c', Layers: [`blobs/sha256/${hexA}`] }])
      ),
      'index.json': Buffer.from('{}')
    }
    for (const chunk of [7, 512, 65536]) {
      await expect(measure(files, chunk)).resolves.toEqual({
        bytes: gz.length,
        method: 'stored',
        layers: 1,
        digests: [`sha256:${hexA}`]
      })
    }
  })

  it('gzips plain layer tars and says it estimated', async () => {
    const files = {
      'manifest.json': Buffer.from(
        JSON.stringify([{ Layers: [`blobs/sha256/${hexB}`, `blobs/sha256/${hexA}`] }])
      ),
      [`blobs/sha256/${hexB}`]: layerTar,
      [`blobs/sha256/${hexA}`]: gz
    }
    const r = await measure(files, 4096)
    expect(r.method).toBe('gzip-estimate')
    expect(r.digests).toEqual([])
    // 200 kB of one byte value compresses to well under 1% of itself.
    expect(r.bytes).toBeGreaterThan(gz.length)
    expect(r.bytes).toBeLessThan(gz.length + 2000)
    expect(r.bytes - gz.length).toBe(gzipSync(layerTar, { level: 6 }).length)
  })

  it('extrapolates past the gzip budget from the part it compressed', async () => {
    // Text with numbers: compresses like code and data, at a ratio that holds along the layer.
    const rows = Array.from({ length: 20_000 }, (_, i) => `row ${i} ${(i * 7919) % 10007}\n`)
    const layer = tar({ 'data/rows.txt': Buffer.from(rows.join('')) })
    const files = {
      'manifest.json': Buffer.from(JSON.stringify([{ Layers: [`blobs/sha256/${hexB}`] }])),
      [`blobs/sha256/${hexB}`]: layer
    }
    const whole = tar(files)
    const all = await measureSave(Readable.from([whole]))
    const full = compressedFromSave(all.manifest, all.files)
    const m = await measureSave(Readable.from([whole]), 50_000)
    const part = compressedFromSave(m.manifest, m.files)
    expect(full.extrapolated).toBeUndefined()
    expect(part.extrapolated).toBe(true)
    expect(part.method).toBe('gzip-estimate')
    // Its first 50 kB of about 330 kB predict the rest.
    expect(Math.abs(part.bytes - full.bytes) / full.bytes).toBeLessThan(0.2)
  })

  it('fails on a truncated stream or a missing layer', async () => {
    const whole = tar({ [`blobs/sha256/${hexA}`]: gz })
    await expect(
      measureSave(Readable.from([whole.subarray(0, 512 + Math.floor(gz.length / 2))]))
    ).rejects.toThrow(/truncated/)
    expect(() =>
      compressedFromSave(JSON.stringify([{ Layers: ['blobs/sha256/x'] }]), new Map())
    ).toThrow(/missing/)
  })
})

const result = (over: Partial<SmokeResult>): SmokeResult => ({
  passed: true,
  verdict: 'healthy',
  seconds: 1.2,
  message: 'ready after 1.1s',
  probe: "the image's HEALTHCHECK",
  probeOutput: '',
  logs: '',
  sidecars: [],
  figures: {
    readySeconds: 1.13,
    memoryIdle: 30_000_000,
    memoryPeak: 45_000_000,
    memorySamples: 4,
    size: 250_000_000,
    compressed: { bytes: 90_000_000, method: 'stored', layers: 6, digests: [] },
    largestLayers: [{ size: 200_000_000, instruction: 'RUN pip install | tee' }],
    published: {
      ref: '127.0.0.1:5000/acme/x:main',
      compressed: 88_000_000,
      layers: [],
      change: 2_000_000,
      sharedLayers: 5
    },
    maxImageSize: 800_000_000
  },
  request: { method: 'POST', path: '/predict', status: 200, ms: 12.34, passed: true, response: '' },
  ...over
})

describe('smoke summary and outputs', () => {
  it('outputs plain numbers and the figures as JSON', () => {
    const o = smokeOutputs(result({}))
    expect(o).toMatchObject({
      'smoke-ready-seconds': '1.13',
      'smoke-memory-idle': '30000000',
      'smoke-memory-peak': '45000000',
      'smoke-request-ms': '12.3',
      'image-size': '250000000',
      'image-size-compressed': '90000000',
      'image-size-change': '2000000'
    })
    expect(JSON.parse(o['smoke-figures'])).toMatchObject({ compressedMethod: 'stored' })
    const none = smokeOutputs(
      result({ request: undefined, figures: { memorySamples: 0, largestLayers: [] } })
    )
    expect(none['smoke-request-ms']).toBe('')
    expect(none['image-size-change']).toBe('')
  })

  it('shows ready time, memory, size and its change, and the prediction latency', () => {
    const md = smokeMarkdown(result({})).join('\n')
    expect(md).toContain('| time to ready | 1.13s |')
    expect(md).toContain('| memory, idle | 30.0MB |')
    expect(md).toContain('| memory, peak | 45.0MB (highest of 4')
    expect(md).toContain('| prediction | `POST /predict` → 200 in 12 ms |')
    expect(md).toContain('| image size, uncompressed | 250MB (max-image-size 800MB) |')
    expect(md).toContain('| image size, compressed | 90.0MB (layer blobs as stored) |')
    expect(md).toContain('| change vs `127.0.0.1:5000/acme/x:main` | +2.00MB compressed')
    expect(md).toContain('5 of 6 layers unchanged')
    expect(md).toContain('| `RUN pip install \\| tee` | 200MB |')
  })

  it('has one line for the terminal', () => {
    expect(smokeText(result({}))).toBe(
      'smoke: ready after 1.13s; memory idle 30.0MB, peak 45.0MB; POST /predict → 200 in 12 ms; ' +
        'size 250MB (90.0MB compressed); +2.00MB vs 127.0.0.1:5000/acme/x:main'
    )
  })

  it('shows the failing response and the logs on failure', () => {
    const md = smokeMarkdown(
      result({
        passed: false,
        verdict: 'request-failed',
        message: 'The prediction request POST /predict failed: status 400.\nResponse: x',
        logs: 'line1\nline2',
        request: {
          method: 'POST',
          path: '/predict',
          status: 400,
          ms: 3,
          passed: false,
          response: 'HTTP 400: {"error": "bad request"}'
        }
      })
    ).join('\n')
    expect(md).toContain('**The prediction request POST /predict failed: status 400.**')
    expect(md).toContain('HTTP 400: {"error": "bad request"}')
    expect(md).toContain('line2')
  })
})

describe('uncompressed size', () => {
  it('is the sum of the layer sizes', () => {
    expect(uncompressedSize([{ Size: '10' }, { Size: 0 }, { Size: '5' }, {}])).toBe(15)
  })
})
