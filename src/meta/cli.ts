import { isUserError } from '../errors.js'
import { computeMeta } from './compute.js'
import { contextFromEnvironment } from './context.js'
import { DEFAULT_TAGS } from './defaults.js'
import type { MetaInputs } from './types.js'

const USAGE = `Usage: ml-docker meta [--images LIST] [--tags RULES] [--flavor LIST] [--labels LIST]
                      [--annotations LIST] [--format json|text]

Computes image tags and labels with docker/metadata-action's rule syntax.
Each option defaults to the matching INPUT_* variable (INPUT_IMAGES, INPUT_TAGS, ...), as in the
action; --tags defaults to the action's own rule set. An option given several times adds lines.
The git context comes from GITHUB_* and GITHUB_EVENT_PATH when set, else from the local repository.`

const FLAGS = ['images', 'tags', 'flavor', 'labels', 'annotations'] as const
type Flag = (typeof FLAGS)[number]

interface Io {
  stdout: (s: string) => void
  stderr: (s: string) => void
  /** Directory of the local repository when not in a workflow (default: the process's). */
  cwd?: string
}

/** `ml-docker meta`: prints the computed metadata. Exit code 0, 1 (configuration error) or 2 (usage). */
export async function metaCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env
): Promise<number> {
  const given: Partial<Record<Flag, string[]>> = {}
  let format: 'json' | 'text' = 'json'
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h' || arg === '--help') {
      io.stdout(`${USAGE}\n`)
      return 0
    }
    const m = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(arg)
    if (!m) {
      io.stderr(`ml-docker meta: unexpected argument "${arg}"\n${USAGE}\n`)
      return 2
    }
    const name = m[1]
    let value = m[2]
    if (value === undefined) {
      if (i + 1 >= argv.length) {
        io.stderr(`ml-docker meta: --${name} needs a value\n`)
        return 2
      }
      value = argv[++i]!
    }
    if (name === 'format') {
      if (value !== 'json' && value !== 'text') {
        io.stderr(`ml-docker meta: --format must be json or text (got "${value}")\n`)
        return 2
      }
      format = value
    } else if ((FLAGS as readonly string[]).includes(name)) {
      ;(given[name as Flag] ??= []).push(value)
    } else {
      io.stderr(`ml-docker meta: unknown option --${name}\n${USAGE}\n`)
      return 2
    }
  }

  const input = (flag: Flag, fallback: string): string =>
    given[flag]?.join('\n') ?? env[`INPUT_${flag.toUpperCase()}`] ?? fallback
  const inputs: MetaInputs = {
    images: input('images', ''),
    // An explicitly empty INPUT_TAGS means the reference's default rules; absent means ours.
    tags: input('tags', DEFAULT_TAGS),
    flavor: input('flavor', ''),
    labels: input('labels', ''),
    annotations: input('annotations', '')
  }

  try {
    const token = env['GITHUB_TOKEN'] || env['INPUT_GITHUB-TOKEN'] || undefined
    const ctx = await contextFromEnvironment(env, {
      cwd: io.cwd ?? process.cwd(),
      ...(token ? { token } : {})
    })
    for (const note of ctx.notes ?? []) io.stderr(`note: ${note}\n`)
    const result = computeMeta(inputs, ctx, env)
    for (const w of result.warnings) io.stderr(`warning: ${w}\n`)
    if (format === 'json') {
      const out = {
        version: result.version,
        tags: result.tags,
        tagNames: result.tagNames,
        labels: result.labels,
        annotations: result.annotations
      }
      io.stdout(`${JSON.stringify(out, null, 2)}\n`)
    } else {
      const lines = [
        `context: ${ctx.eventName || '-'} ${ctx.ref || '-'} ${ctx.sha ? ctx.sha.slice(0, 12) : '-'} (${ctx.source ?? 'workflow'})`,
        `version: ${result.version || '(none)'}`,
        'tags:',
        ...result.tags.map((t) => `  ${t}`),
        'labels:',
        ...Object.entries(result.labels).map(([k, v]) => `  ${k}=${v}`),
        'annotations:',
        ...result.annotations.map((a) => `  ${a}`)
      ]
      io.stdout(`${lines.join('\n')}\n`)
    }
    return 0
  } catch (e) {
    if (isUserError(e)) {
      io.stderr(`error: ${e.message}\n`)
      return 1
    }
    throw e
  }
}
