/** Variable scopes: ARG/ENV values and WORKDIR in effect before each instruction. */
import { argDecls, envPairs, expand, type Dockerfile, type Instr } from '../model.js'
import { lineageInstructions } from './lineage.js'
import { memo } from './memo.js'

interface Scope {
  vars: Map<string, string | undefined>
  workdir: string
}
/** ARG/ENV values and WORKDIR in effect before each instruction of a file. */
const scopesOf = memo((df: Dockerfile): Map<Instr, Scope> => {
  const scopes = new Map<Instr, Scope>()
  for (const stage of df.stages) {
    let scope: Scope = { vars: new Map(df.globalArgs), workdir: '/' }
    for (const i of lineageInstructions(stage)) {
      if (i.stage === stage || !scopes.has(i)) scopes.set(i, scope)
      if (i.keyword === 'ENV' || i.keyword === 'ARG') {
        const vars = new Map(scope.vars)
        // values are expanded where they are declared, as Docker does (`ENV VIRTUAL_ENV=${VENV_PATH}`),
        // with the variables in effect before the instruction
        const before = scope.vars
        const value = (v: string) => expand(v, (n) => before.get(n)) ?? v
        if (i.keyword === 'ENV') for (const p of envPairs(i)) vars.set(p.key, value(p.value))
        else
          for (const a of argDecls(i))
            if (a.value !== undefined || !vars.has(a.name))
              vars.set(a.name, a.value === undefined ? vars.get(a.name) : value(a.value))
        scope = { vars, workdir: scope.workdir }
      } else if (i.keyword === 'WORKDIR') {
        const raw = i.args.trim().replace(/^["']|["']$/g, '')
        const vars = scope.vars
        scope = {
          vars,
          workdir: resolvePath(expand(raw, (n) => vars.get(n)) ?? raw, scope.workdir)
        }
      }
    }
  }
  return scopes
})

function scopeBefore(df: Dockerfile, instr: Instr): Scope {
  return scopesOf(df).get(instr) ?? { vars: new Map(df.globalArgs), workdir: '/' }
}

/** Variables visible to an instruction: global ARGs, then ARG/ENV of its lineage before it. */
export function varsBefore(df: Dockerfile, instr: Instr): (name: string) => string | undefined {
  const vars = scopeBefore(df, instr).vars
  return (name) => vars.get(name)
}

/** WORKDIR in effect before an instruction (absolute, variables expanded where known). */
export function workdirBefore(df: Dockerfile, instr: Instr): string {
  return scopeBefore(df, instr).workdir
}

export function resolvePath(path: string, cwd: string): string {
  const joined = path.startsWith('/') ? path : `${cwd.replace(/\/+$/, '')}/${path}`
  const out: string[] = []
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return '/' + out.join('/')
}
