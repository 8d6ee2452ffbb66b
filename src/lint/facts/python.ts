/** Python code and tools in RUN/CMD: model loaders and downloads, virtualenvs. */
import { isPythonCommand, runInfo, type Dockerfile, type Stage, expand } from '../model.js'
import { lineageInstructions } from './lineage.js'
import type { SimpleCommand } from '../shell.js'
import { resolvePath, varsBefore, workdirBefore } from './scopes.js'

export const MODEL_LOADERS = [
  'snapshot_download(',
  'hf_hub_download(',
  '.from_pretrained(',
  'SentenceTransformer(',
  'pipeline('
]

export function callsAny(code: string, calls: string[]): boolean {
  return calls.some((c) =>
    c.startsWith('.')
      ? code.includes(c)
      : new RegExp(`(^|[^\\w.])${c.replace('(', '\\(')}|\\.${c.replace('(', '\\(')}`).test(code)
  )
}

/** Model downloads in a RUN or CMD command list (names of the tools found). */
export function modelDownloadTools(
  commands: SimpleCommand[]
): { cmd: SimpleCommand; tool: string }[] {
  const out: { cmd: SimpleCommand; tool: string }[] = []
  for (const cmd of commands) {
    const name = cmd.base
    const v = cmd.args.map((a) => a.value)
    if (name === 'spacy' && v[0] === 'download') out.push({ cmd, tool: 'spacy download' })
    else if (
      isPythonCommand(cmd.name) &&
      v.includes('-m') &&
      v[v.indexOf('-m') + 1] === 'spacy' &&
      v.includes('download')
    )
      out.push({ cmd, tool: 'spacy download' })
    else if ((name === 'huggingface-cli' || name === 'hf') && v[0] === 'download')
      out.push({ cmd, tool: `${name} download` })
    else if (
      isPythonCommand(cmd.name) &&
      v.includes('-m') &&
      /^nltk\.downloader$/.test(v[v.indexOf('-m') + 1] ?? '')
    )
      out.push({ cmd, tool: 'nltk.downloader' })
  }
  return out
}

export function usesFlag(cmd: SimpleCommand, ...flags: string[]): boolean {
  return cmd.args.some((a) => flags.some((f) => a.value === f || a.value.startsWith(f + '=')))
}

/** Paths where a stage's lineage creates virtualenvs (`python -m venv`, `virtualenv`, `uv venv`). */
export function createdVenvs(df: Dockerfile, stage: Stage): string[] {
  const out: string[] = []
  for (const instr of lineageInstructions(stage).filter((i) => i.keyword === 'RUN')) {
    const cwd = workdirBefore(df, instr)
    const vars = varsBefore(df, instr)
    for (const cmd of runInfo(instr).commands) {
      const v = cmd.args.map((a) => a.value)
      let target: string | undefined
      const m = v.indexOf('-m')
      if (/^python/.test(cmd.base) && m >= 0 && v[m + 1] === 'venv')
        target = v.slice(m + 2).find((a) => !a.startsWith('-'))
      else if (cmd.base === 'virtualenv') target = v.find((a) => !a.startsWith('-'))
      else if (cmd.base === 'uv' && v[0] === 'venv')
        target = v.slice(1).find((a) => !a.startsWith('-')) ?? '.venv'
      if (target !== undefined) {
        const expanded = expand(target, vars)
        if (expanded !== undefined) out.push(resolvePath(expanded, cwd))
      }
    }
  }
  return out
}

export const VENV_SOURCE = /(^|\/)\.?venv\/?$/
