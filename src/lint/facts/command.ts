/** The command a stage runs (ENTRYPOINT + CMD of its lineage), service images, health checks. */
import { execForm, healthInfo, type HealthInfo, type Instr, type Stage } from '../model.js'
import { lineageInstructions } from './lineage.js'
import { baseName, parseShell, type SimpleCommand } from '../shell.js'
import { memo } from './memo.js'

const LAUNCHERS = [
  /\buvicorn\b/,
  /\bgunicorn\b/,
  /\bhypercorn\b/,
  /\bdaphne\b/,
  /\bwaitress-serve\b/,
  /\bflask\s+run\b/,
  /\bfastapi\s+run\b/,
  /\bstreamlit\s+run\b/,
  /\bmlflow\s+models\s+serve\b/,
  /\bbentoml\s+serve\b/,
  /\btorchserve\b/,
  /\btritonserver\b/,
  /-m\s+http\.server\b/,
  // model servers that listen without an EXPOSE in their Dockerfile
  /\btext-generation-launcher\b/, // TGI
  /\btext-embeddings-router\b/, // TEI
  /\bvllm\s+serve\b/,
  /\bvllm\.entrypoints\.(openai\.)?api_server\b/,
  /\bmlserver\s+start\b/,
  /-m\s+kserve\b|\bkserve\.model_server\b|-m\s+\w+server\b/, // KServe model servers (sklearnserver, ...)
  /\bollama\s+serve\b|\bollama\b.*\bserve\b/,
  /\bserve\s+run\b/, // Ray Serve
  /\bsglang\.launch_server\b/
]

export interface EffectiveCommand {
  /** the CMD or ENTRYPOINT to report on */
  instr: Instr
  /** all words as one script (for text searches) */
  script: string
  /** parsed commands, or undefined when the command is an opaque program (an entrypoint script) */
  commands: SimpleCommand[]
  /** the command runs through a shell (shell form, or exec form `sh -c`) */
  viaShell: boolean
}

const SHELL_NAMES = new Set(['sh', 'bash', 'ash', 'dash', 'zsh'])
const INIT_WRAPPERS = new Set(['tini', 'dumb-init', 'tini-static'])

function formCommands(instr: Instr): {
  script: string
  viaShell: boolean
  words: string[] | undefined
} {
  const f = execForm(instr)
  if (!f.exec) return { script: f.script, viaShell: true, words: undefined }
  let words = f.exec
  while (words.length > 0 && INIT_WRAPPERS.has(baseName(words[0]))) {
    words = words.slice(1)
    while (words[0]?.startsWith('-')) words = words.slice(1)
  }
  if (words.length >= 3 && SHELL_NAMES.has(baseName(words[0])) && /^-[a-z]*c$/.test(words[1])) {
    return { script: words.slice(2).join(' '), viaShell: true, words: undefined }
  }
  return { script: words.join(' '), viaShell: false, words }
}

/** The command the final image runs: ENTRYPOINT (+ CMD for exec forms) of the lineage. */
export const effectiveCommand: (stage: Stage) => EffectiveCommand | undefined = memo(
  (stage: Stage) => computeEffectiveCommand(stage)
)

function computeEffectiveCommand(stage: Stage): EffectiveCommand | undefined {
  const instrs = lineageInstructions(stage)
  const entry = [...instrs].reverse().find((i) => i.keyword === 'ENTRYPOINT')
  const cmd = [...instrs].reverse().find((i) => i.keyword === 'CMD')
  const quote = (w: string): string =>
    /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`
  if (entry) {
    const e = formCommands(entry)
    if (e.viaShell)
      return {
        instr: entry,
        script: e.script,
        commands: parseShell(e.script).commands,
        viaShell: true
      }
    if (e.words && e.words.length === 0 && cmd) {
      const c = formCommands(cmd)
      return {
        instr: cmd,
        script: c.script,
        commands: parseShell(c.words ? c.words.map(quote).join(' ') : c.script).commands,
        viaShell: c.viaShell
      }
    }
    const words = [...(e.words ?? []), ...(cmd && execForm(cmd).exec ? execForm(cmd).exec! : [])]
    return {
      instr: entry,
      script: words.join(' '),
      commands: parseShell(words.map(quote).join(' ')).commands,
      viaShell: false
    }
  }
  if (!cmd) return undefined
  const c = formCommands(cmd)
  return {
    instr: cmd,
    script: c.script,
    commands: parseShell(c.words ? c.words.map(quote).join(' ') : c.script).commands,
    viaShell: c.viaShell
  }
}

export function isServiceImage(stage: Stage): boolean {
  if (lineageInstructions(stage).some((i) => i.keyword === 'EXPOSE')) return true
  const eff = effectiveCommand(stage)
  return eff !== undefined && LAUNCHERS.some((re) => re.test(eff.script))
}

/** The HEALTHCHECK in effect for a stage (the last one of its lineage). */
export function effectiveHealthcheck(stage: Stage): HealthInfo | undefined {
  const hc = [...lineageInstructions(stage)].reverse().find((i) => i.keyword === 'HEALTHCHECK')
  return hc ? healthInfo(hc) : undefined
}
