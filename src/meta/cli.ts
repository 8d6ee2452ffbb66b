import {
  EXIT_OK,
  guarded,
  parseCommand,
  PREFIX,
  type CommandSpec,
  type OptionSpec
} from '../args.js'
import { envInputSource, inputValue, layeredSource, maskSecretInputs } from '../config.js'
import { UserError } from '../errors.js'
import { INPUTS } from '../inputs.js'
import { Redactor, redactingIo } from '../log.js'
import { defaultImages } from '../pipeline.js'
import { computeMeta } from './compute.js'
import { contextFromEnvironment } from './context.js'
import type { MetaInputs } from './types.js'

const USAGE = `Usage: ml-docker meta [--images LIST] [--tags RULES] [--flavor LIST] [--labels LIST]
                      [--annotations LIST] [--registry HOST] [--format json|text]

Computes image tags and labels with docker/metadata-action's rule syntax.
Each option defaults to the matching INPUT_* variable (INPUT_IMAGES, INPUT_TAGS, ...), as in the
action; --tags defaults to the action's own rule set. An option given several times adds lines.
Without --images, the image is <registry>/<owner>/<repo> of GITHUB_REPOSITORY, as in "run".
The git context comes from GITHUB_* and GITHUB_EVENT_PATH when set, else from the local repository.`

const FLAGS = ['images', 'tags', 'flavor', 'labels', 'annotations'] as const

/** Options named and read like the action inputs they stand for (src/inputs.ts). */
const META_SPEC: CommandSpec = {
  command: 'meta',
  maxPositionals: 0,
  options: {
    ...Object.fromEntries(
      INPUTS.filter(
        (i) => (FLAGS as readonly string[]).includes(i.name) || i.name === 'registry'
      ).map((i): [string, OptionSpec] => [i.name, { kind: 'string', multiple: true }])
    ),
    format: { kind: 'string' },
    help: { kind: 'flag', short: 'h' }
  }
}

interface Io {
  stdout: (s: string) => void
  stderr: (s: string) => void
  /** Directory of the local repository when not in a workflow (default: the process's). */
  cwd?: string
}

/**
 * `ml-docker meta`: prints the computed metadata. Exit code 0, or 2 on a usage or configuration
 * error. Default image names come from the pipeline's own `defaultImages`, so `meta` and `run`
 * agree on them.
 */
export async function metaCommand(
  argv: string[],
  rawIo: Io,
  env: NodeJS.ProcessEnv = process.env,
  redactor: Redactor = new Redactor()
): Promise<number> {
  const io = redactingIo(rawIo, redactor)
  const out = (s: string): void => io.stdout(s.replace(/\n+$/, ''))
  const err = (s: string): void => io.stderr(s.replace(/\n+$/, ''))
  return guarded({ stdout: out, stderr: err }, async () => {
    const flags = new Map<string, string>()
    // Flags first, then INPUT_* (as in the action), then the action's defaults.
    const source = layeredSource((name) => flags.get(name), envInputSource(env))
    maskSecretInputs(source, (v) => redactor.add(v), true)
    const token = env['GITHUB_TOKEN'] || inputValue(source, 'github-token', true) || undefined
    if (token) redactor.add(token)

    const parsed = parseCommand(META_SPEC, argv)
    if (parsed.flags.has('help')) {
      out(USAGE)
      return EXIT_OK
    }
    const format = parsed.strings.format?.at(-1) ?? 'json'
    if (format !== 'json' && format !== 'text')
      throw new UserError(`--format must be json or text, got "${format}"`)
    // An option given several times adds lines.
    for (const [name, list] of Object.entries(parsed.strings)) flags.set(name, list.join('\n'))

    const get = (name: string): string => inputValue(source, name, true)
    const inputs: MetaInputs = {
      images: defaultImages({ images: get('images'), registry: get('registry') }, env),
      // An explicitly empty INPUT_TAGS means the reference's default rules; absent means ours.
      tags: get('tags'),
      flavor: get('flavor'),
      labels: get('labels'),
      annotations: get('annotations')
    }

    const ctx = await contextFromEnvironment(env, {
      cwd: rawIo.cwd ?? process.cwd(),
      ...(token ? { token } : {})
    })
    for (const note of ctx.notes ?? []) err(`${PREFIX}note: ${note}`)
    const result = computeMeta(inputs, ctx, env)
    for (const w of result.warnings) err(`${PREFIX}warning: ${w}`)
    if (format === 'json') {
      const json = {
        version: result.version,
        tags: result.tags,
        tagNames: result.tagNames,
        labels: result.labels,
        annotations: result.annotations
      }
      out(`${JSON.stringify(json, null, 2)}\n`)
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
      out(`${lines.join('\n')}\n`)
    }
    return EXIT_OK
  })
}
