/** What ML teams watch on every release: size, layers, memory. Pure parsing, unit-tested. */

export interface Layer {
  /** Bytes, uncompressed, as `docker image history` reports them. */
  size: number
  /** The Dockerfile instruction that made the layer, shortened. */
  instruction: string
}

export interface HistoryRow {
  CreatedBy?: string
  Size?: string | number
  Comment?: string
}

/** Makes a history `CreatedBy` read like the Dockerfile line it came from. */
export function instructionOf(createdBy: string, max = 120): string {
  let s = createdBy.trim()
  s = s.replace(/\s*# buildkit$/, '')
  // Classic builder: `/bin/sh -c #(nop)  CMD ["x"]` (metadata) or `/bin/sh -c pip install` (RUN).
  const nop = /^\/bin\/sh -c #\(nop\)\s+(.*)$/s.exec(s)
  if (nop) s = nop[1]
  else if (/^\/bin\/sh -c /.test(s)) s = `RUN ${s.slice('/bin/sh -c '.length)}`
  // BuildKit: `RUN |2 A=1 B=2 /bin/sh -c cmd` (the build args in effect, then the shell).
  s = s.replace(/^RUN \|\d+ (?:\S+=\S* )*/, 'RUN ')
  s = s.replace(/^RUN \/bin\/sh -c /, 'RUN ')
  s = s.replace(/\s+/g, ' ')
  if (!s) s = '(unknown instruction)'
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** The largest layers, biggest first (ties: the earlier layer first). */
export function largestLayers(rows: HistoryRow[], n = 5): Layer[] {
  // `docker history` lists the newest layer first; report in build order for ties.
  const layers = [...rows].reverse().map((r) => ({
    size: Number(r.Size ?? 0) || 0,
    instruction: instructionOf(r.CreatedBy || r.Comment || '')
  }))
  return layers
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.size > 0)
    .sort((a, b) => b.l.size - a.l.size || a.i - b.i)
    .slice(0, n)
    .map(({ l }) => l)
}

/**
 * The uncompressed size: the sum of the layer sizes. (`docker image inspect`'s Size counts the
 * compressed blobs as well under the containerd image store, so it is not used.)
 */
export function uncompressedSize(rows: HistoryRow[]): number {
  return rows.reduce((n, r) => n + (Number(r.Size ?? 0) || 0), 0)
}

/** Parses the history lines (`--format '{{json .}}'`, one object per line). */
export function parseHistory(output: string): HistoryRow[] {
  return output
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as HistoryRow)
}

const BINARY: Record<string, number> = {
  B: 1,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12
}

/** `123.4MiB` (docker stats' units) to bytes. */
export function parseStatSize(s: string): number | undefined {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B)\s*$/i.exec(s)
  if (!m) return undefined
  const unit = BINARY[m[2].toUpperCase()]
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit)
}

/**
 * One sample from `docker stats --format '{{json .}}'`: the memory in use (`MemUsage` is
 * "used / limit"). The stream may carry terminal escapes between samples; they are ignored.
 */
export function parseStatsLine(line: string): { name: string; memory: number } | undefined {
  // eslint-disable-next-line no-control-regex
  const text = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()
  const start = text.indexOf('{')
  if (start < 0) return undefined
  let row: { Name?: string; MemUsage?: string }
  try {
    row = JSON.parse(text.slice(start)) as { Name?: string; MemUsage?: string }
  } catch {
    return undefined
  }
  const used = parseStatSize((row.MemUsage ?? '').split('/')[0] ?? '')
  if (used === undefined || !row.Name) return undefined
  return { name: row.Name.replace(/^\//, ''), memory: used }
}
