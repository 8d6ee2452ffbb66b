import { createGzip } from 'node:zlib'

/**
 * The compressed size of an image, read from the `docker save` tar stream without writing it to
 * disk. Layers the daemon keeps compressed (the containerd image store keeps the blobs BuildKit
 * made) are counted as they are: that is what a push sends. Layers saved as plain tars (the classic
 * store) are gzipped here at level 6, as BuildKit compresses them for a push: an estimate.
 */
export interface CompressedSize {
  bytes: number
  /** `stored`: every layer blob was already compressed; `gzip-estimate`: some were gzipped here. */
  method: 'stored' | 'gzip-estimate'
  layers: number
  /** Digests of the compressed layer blobs, when the daemon stores them compressed (`stored`). */
  digests: string[]
  /** Set when the plain layers exceeded GZIP_BUDGET and the rest was extrapolated. */
  extrapolated?: boolean
}

type Kind = 'gzip' | 'zstd' | 'tar' | 'other'

interface Entry {
  name: string
  size: number
  kind?: Kind
  head: Buffer[]
  headLen: number
  gz?: ReturnType<typeof createGzip>
  gzBytes: number
  /** Bytes handed to gzip; the rest of a layer past the budget is only counted. */
  fed: number
  gzDone?: Promise<void>
  text?: string
}

function kindOf(head: Buffer): Kind {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar'
  return 'other'
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0)
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8')
}

function octal(b: Buffer): number {
  // Base-256 for very large sizes (GNU extension): high bit set in the first byte.
  if (b[0] & 0x80) {
    let n = 0
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i]
    return n
  }
  const s = cString(b).trim()
  return s ? parseInt(s, 8) : 0
}

/** Reads a tar stream; keeps `manifest.json` and measures every file's compressed size. */
/**
 * Plain layer bytes gzipped in full; past this, each layer's ratio so far is applied to the rest
 * (multi-GB CUDA images would otherwise spend minutes of CPU on a figure).
 */
export const GZIP_BUDGET = 512 * 1024 * 1024

export async function measureSave(
  stream: AsyncIterable<Buffer | string>,
  gzipBudget = GZIP_BUDGET
): Promise<{
  manifest: string | undefined
  files: Map<string, { kind: Kind; size: number; compressed: number; extrapolated?: boolean }>
}> {
  const files = new Map<
    string,
    { kind: Kind; size: number; compressed: number; extrapolated?: boolean }
  >()
  let budget = gzipBudget
  let gzIn = 0
  let gzOut = 0
  let manifest: string | undefined
  let pending = Buffer.alloc(0)
  let entry: Entry | undefined
  let remaining = 0
  let padding = 0
  let longName: string | undefined

  const decide = (e: Entry): void => {
    const head = Buffer.concat(e.head)
    e.kind = e.name === 'manifest.json' ? 'other' : kindOf(head)
    if (e.kind === 'tar') {
      const gz = createGzip({ level: 6 })
      e.gz = gz
      gz.on('data', (d: Buffer) => (e.gzBytes += d.length))
      e.gzDone = new Promise((resolve, reject) => {
        gz.on('end', resolve)
        gz.on('error', reject)
      })
    }
    e.text = e.name === 'manifest.json' ? '' : undefined
    const first = head
    e.head = []
    return feedDecided(e, first)
  }
  const writes: Promise<void>[] = []
  const feedDecided = (e: Entry, chunk: Buffer): void => {
    if (e.text !== undefined) e.text += chunk.toString('utf8')
    if (e.gz && chunk.length && budget > 0) {
      const gz = e.gz
      const part = chunk.length > budget ? chunk.subarray(0, budget) : chunk
      budget -= part.length
      e.fed += part.length
      if (!gz.write(part)) writes.push(new Promise((r) => gz.once('drain', r)))
    }
  }
  const feed = async (e: Entry, chunk: Buffer): Promise<void> => {
    if (e.kind === undefined) {
      e.head.push(chunk)
      e.headLen += chunk.length
      if (e.headLen >= 512 || e.headLen >= e.size) decide(e)
    } else feedDecided(e, chunk)
    if (writes.length) {
      await Promise.all(writes.splice(0))
    }
  }
  const finish = async (e: Entry): Promise<void> => {
    if (e.kind === undefined) decide(e)
    if (e.gz) {
      e.gz.end()
      await e.gzDone
    }
    if (e.name === 'manifest.json') manifest = e.text
    let compressed = e.kind === 'tar' ? e.gzBytes : e.size
    const extrapolated = e.kind === 'tar' && e.fed < e.size
    if (extrapolated) {
      // This layer's own ratio when gzip saw part of it, else that of all gzipped bytes so far.
      const ratio = e.fed > 0 ? e.gzBytes / e.fed : gzIn > 0 ? gzOut / gzIn : 1
      compressed = Math.round(e.fed > 0 ? e.gzBytes + (e.size - e.fed) * ratio : e.size * ratio)
    }
    if (e.kind === 'tar') {
      gzIn += e.fed
      gzOut += e.gzBytes
    }
    files.set(e.name, { kind: e.kind ?? 'other', size: e.size, compressed, extrapolated })
  }

  const it = stream[Symbol.asyncIterator]()
  const nextChunk = async (): Promise<Buffer | undefined> => {
    const r = await it.next()
    if (r.done) return undefined
    return Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value)
  }
  for (;;) {
    let chunk = await nextChunk()
    if (!chunk) break
    while (chunk.length) {
      if (entry) {
        const take = Math.min(remaining, chunk.length)
        await feed(entry, chunk.subarray(0, take))
        remaining -= take
        chunk = chunk.subarray(take)
        if (remaining === 0) {
          await finish(entry)
          entry = undefined
        }
        continue
      }
      if (padding) {
        const skip = Math.min(padding, chunk.length)
        padding -= skip
        chunk = chunk.subarray(skip)
        continue
      }
      pending = Buffer.concat([pending, chunk])
      chunk = Buffer.alloc(0)
      while (!entry && !padding && pending.length >= 512) {
        const header = pending.subarray(0, 512)
        pending = pending.subarray(512)
        if (header.every((b) => b === 0)) continue
        const size = octal(header.subarray(124, 136))
        const type = String.fromCharCode(header[156] || 48)
        let name = cString(header.subarray(0, 100))
        if (header.subarray(257, 262).toString('latin1') === 'ustar') {
          const prefix = cString(header.subarray(345, 500))
          if (prefix) name = `${prefix}/${name}`
        }
        if (longName !== undefined && type !== 'L' && type !== 'x') {
          name = longName
          longName = undefined
        }
        const pad = (512 - (size % 512)) % 512
        if (type === 'L' || type === 'x') {
          // The next entry's long name (GNU) or its pax records (path=...).
          const need = size + pad
          while (pending.length < need) {
            const next = await nextChunk()
            if (!next) throw new Error('docker save: truncated tar stream')
            pending = Buffer.concat([pending, next])
          }
          const body = pending.subarray(0, size).toString('utf8')
          pending = pending.subarray(need)
          if (type === 'L') longName = body.replace(/\0.*$/s, '')
          else {
            const p = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)
            if (p) longName = p[1]
          }
          continue
        }
        if (type !== '0' && type !== '\0') {
          // Directories, links: no data to measure.
          const need = size + pad
          if (need) {
            const skip = Math.min(need, pending.length)
            pending = pending.subarray(skip)
            padding = need - skip
          }
          continue
        }
        entry = {
          name: name.replace(/^\.\//, ''),
          size,
          head: [],
          headLen: 0,
          gzBytes: 0,
          fed: 0
        }
        remaining = size
        padding = pad
        if (size === 0) {
          await finish(entry)
          entry = undefined
        } else if (pending.length) {
          chunk = pending
          pending = Buffer.alloc(0)
        }
      }
    }
  }
  if (entry) throw new Error('docker save: truncated tar stream')
  return { manifest, files }
}

/** Sums the layers named by the save's manifest.json. */
export function compressedFromSave(
  manifest: string | undefined,
  files: Map<string, { kind: Kind; size: number; compressed: number; extrapolated?: boolean }>
): CompressedSize {
  if (!manifest) throw new Error('docker save wrote no manifest.json')
  const m = JSON.parse(manifest) as { Layers?: string[] }[]
  const layers = m[0]?.Layers ?? []
  let bytes = 0
  let estimated = false
  let extrapolated = false
  const digests: string[] = []
  for (const l of layers) {
    const f = files.get(l.replace(/^\.\//, ''))
    if (!f) throw new Error(`docker save: layer ${l} is missing from the stream`)
    bytes += f.compressed
    if (f.kind === 'tar') estimated = true
    if (f.extrapolated) extrapolated = true
    const d = /^blobs\/(sha256)\/([a-f0-9]{64})$/.exec(l.replace(/^\.\//, ''))
    if (d && f.kind !== 'tar') digests.push(`${d[1]}:${d[2]}`)
  }
  return {
    bytes,
    method: estimated ? 'gzip-estimate' : 'stored',
    layers: layers.length,
    digests: estimated ? [] : digests,
    ...(extrapolated ? { extrapolated } : {})
  }
}
