import type { SmokeResult } from './index.js'
import { formatBytes } from './spec.js'

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function signed(n: number): string {
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${formatBytes(Math.abs(n))}`
}

/** The smoke figures as action outputs (numbers in plain units; empty when not measured). */
export function smokeOutputs(s: SmokeResult): Record<string, string> {
  const f = s.figures
  const num = (n: number | undefined, digits = 0): string =>
    n === undefined ? '' : n.toFixed(digits)
  return {
    'smoke-ready-seconds': num(f.readySeconds, 2),
    'smoke-memory-idle': num(f.memoryIdle),
    'smoke-memory-peak': num(f.memoryPeak),
    'smoke-request-ms': num(s.request?.ms, 1),
    'image-size': num(f.size),
    'image-size-compressed': num(f.compressed?.bytes),
    'image-size-change': num(f.published?.change),
    'smoke-figures': JSON.stringify({
      verdict: s.verdict,
      readySeconds: f.readySeconds,
      verdictLatencyMs: s.verdictLatencyMs,
      memoryIdle: f.memoryIdle,
      memoryPeak: f.memoryPeak,
      memorySamples: f.memorySamples,
      size: f.size,
      compressed: f.compressed?.bytes,
      compressedMethod: f.compressed?.method,
      compressedExtrapolated: f.compressed?.extrapolated,
      maxImageSize: f.maxImageSize,
      largestLayers: f.largestLayers,
      published: f.published
        ? {
            ref: f.published.ref,
            compressed: f.published.compressed,
            change: f.published.change,
            sharedLayers: f.published.sharedLayers
          }
        : undefined,
      request: s.request,
      sidecars: s.sidecars.map((c) => ({
        name: c.name,
        image: c.image,
        ready: c.ready,
        seconds: c.seconds
      }))
    })
  }
}

/** The job summary's smoke section: figures, largest layers, the prediction, sidecars. */
export function smokeMarkdown(s: SmokeResult): string[] {
  const f = s.figures
  const lines = ['', `### Smoke test ${s.passed ? '✅' : '❌'}`, '']
  if (s.probe) lines.push(`Probe: ${esc(s.probe)}`, '')
  lines.push('| figure | value |', '|---|---|')
  if (f.readySeconds !== undefined) lines.push(`| time to ready | ${f.readySeconds.toFixed(2)}s |`)
  if (f.memoryIdle !== undefined) lines.push(`| memory, idle | ${formatBytes(f.memoryIdle)} |`)
  if (f.memoryPeak !== undefined)
    lines.push(
      `| memory, peak | ${formatBytes(f.memoryPeak)} (highest of ${f.memorySamples} \`docker stats\` samples) |`
    )
  if (s.request)
    lines.push(
      `| prediction | \`${s.request.method} ${esc(s.request.path)}\` → ${s.request.status || 'no answer'} in ${s.request.ms.toFixed(0)} ms${s.request.passed ? '' : ' ❌'} |`
    )
  if (f.size !== undefined) {
    const budget =
      f.maxImageSize !== undefined
        ? ` (max-image-size ${formatBytes(f.maxImageSize)}${f.size > f.maxImageSize ? ' ❌ exceeded' : ''})`
        : ''
    lines.push(`| image size, uncompressed | ${formatBytes(f.size)}${budget} |`)
  }
  if (f.compressed)
    lines.push(
      `| image size, compressed | ${formatBytes(f.compressed.bytes)} (${f.compressed.method === 'stored' ? 'layer blobs as stored' : `estimated: gzip -6 of each layer${f.compressed.extrapolated ? ', extrapolated past 512 MB' : ''}`}) |`
    )
  if (f.published) {
    const shared =
      f.published.sharedLayers !== undefined
        ? `, ${f.published.sharedLayers} of ${f.compressed?.layers ?? '?'} layers unchanged`
        : ''
    lines.push(
      `| change vs \`${esc(f.published.ref)}\` | ${signed(f.published.change)} compressed (published: ${formatBytes(f.published.compressed)}${shared}) |`
    )
  } else if (f.publishedNote) lines.push(`| change vs published | ${esc(f.publishedNote)} |`)
  if (f.largestLayers.length) {
    lines.push('', '| largest layers | size |', '|---|---|')
    for (const l of f.largestLayers)
      lines.push(`| \`${esc(l.instruction).replace(/`/g, "'")}\` | ${formatBytes(l.size)} |`)
  }
  if (s.sidecars.length) {
    lines.push('', '| sidecar | image | ready |', '|---|---|---|')
    for (const c of s.sidecars)
      lines.push(
        `| ${c.name} | \`${esc(c.image)}\` | ${c.ready ? '✅' : '❌'} ${esc(c.detail)} after ${c.seconds.toFixed(1)}s |`
      )
  }
  if (!s.passed) {
    lines.push('', `**${esc(s.message.split('\n')[0])}**`)
    if (s.request && !s.request.passed) lines.push('', '```', s.request.response, '```')
    if (s.logs) {
      lines.push('', '<details><summary>container logs (last lines)</summary>', '', '```')
      lines.push(
        s.logs.split('\n').slice(-40).join('\n').replace(/```/g, "'''"),
        '```',
        '',
        '</details>'
      )
    }
  }
  return lines
}

/** Blocks printed to the log when the smoke test fails: probe output, logs, sidecar logs. */
export function smokeFailureDetails(s: SmokeResult): string[] {
  const out: string[] = []
  if (s.probeOutput) out.push(`health probe output (most recent last):\n${s.probeOutput}`)
  if (s.request && !s.request.passed) out.push(`prediction response:\n${s.request.response}`)
  if (s.logs) out.push(`container logs (last 200 lines):\n${s.logs}`)
  for (const c of s.sidecars)
    if (c.logs) out.push(`sidecar ${c.name} logs (last 50 lines):\n${c.logs}`)
  return out
}

/** One line for a terminal summary. */
export function smokeText(s: SmokeResult): string {
  const f = s.figures
  const parts: string[] = []
  if (f.readySeconds !== undefined) parts.push(`ready after ${f.readySeconds.toFixed(2)}s`)
  if (f.memoryIdle !== undefined || f.memoryPeak !== undefined)
    parts.push(
      `memory idle ${f.memoryIdle !== undefined ? formatBytes(f.memoryIdle) : '?'}, peak ${f.memoryPeak !== undefined ? formatBytes(f.memoryPeak) : '?'}`
    )
  if (s.request)
    parts.push(
      `${s.request.method} ${s.request.path} → ${s.request.status || 'no answer'} in ${s.request.ms.toFixed(0)} ms`
    )
  if (f.size !== undefined)
    parts.push(
      `size ${formatBytes(f.size)}${f.compressed ? ` (${formatBytes(f.compressed.bytes)} compressed)` : ''}`
    )
  if (f.published) parts.push(`${signed(f.published.change)} vs ${f.published.ref}`)
  return `smoke: ${parts.join('; ') || s.message.split('\n')[0]}`
}
