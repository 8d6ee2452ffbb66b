/** Stage lineage: the `FROM <alias>` chain of a stage and the instructions it runs. */
import { envPairs, type Dockerfile, type Instr, type Stage } from '../model.js'
import { memo } from './memo.js'

/** The stage and its in-file ancestors (`FROM <alias>` chain), nearest first. */
export function lineage(stage: Stage, exact = false): Stage[] {
  const out: Stage[] = []
  const seen = new Set<Stage>()
  for (let s: Stage | undefined = stage; s && !seen.has(s); s = exact ? s.parentExact : s.parent) {
    seen.add(s)
    out.push(s)
  }
  return out
}

/** Instructions of a lineage in execution order (oldest ancestor first); shared, do not mutate. */
export function lineageInstructions(stage: Stage, exact = false): Instr[] {
  return exact ? flatten(lineage(stage, true)) : lineageOf(stage)
}

const flatten = (chain: Stage[]): Instr[] => [...chain].reverse().flatMap((s) => s.instructions)
const lineageOf = memo((stage: Stage) => flatten(lineage(stage)))

/** Finds the stage a `--from` value names: alias (case-insensitive) or index. */
export function stageByRef(df: Dockerfile, ref: string, before: number): Stage | undefined {
  if (/^\d+$/.test(ref)) {
    const n = Number(ref)
    return n < before ? df.stages[n] : undefined
  }
  const lower = ref.toLowerCase()
  return df.stages.find((s) => s.index < before && s.alias?.toLowerCase() === lower)
}

/** ENV values visible at the end of a stage's lineage (later wins), ARG defaults as fallback. */
export function stageEnv(stage: Stage): Map<string, string> {
  const env = new Map<string, string>()
  for (const instr of lineageInstructions(stage)) {
    if (instr.keyword === 'ENV') for (const p of envPairs(instr)) env.set(p.key, p.value)
  }
  return env
}

export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1]
}
