import { copyInfo, type Instr } from '../model.js'
import { contextCopies, hasMlExtension, isWholeContextCopy, ML_DIRS } from '../facts/context.js'
import type { Hit, Rule } from '../rule.js'

function isModelSource(source: string): boolean {
  const s = source.replace(/^\.\//, '')
  return hasMlExtension(s) || ML_DIRS.has(s.split('/')[0].replace(/\/$/, ''))
}

function isCodeCopy(instr: Instr): boolean {
  if (isWholeContextCopy(instr)) return true
  return copyInfo(instr).sources.some((s) => {
    const p = s.replace(/^\.\//, '').replace(/\/+$/, '')
    return (
      p.endsWith('.py') ||
      p === 'src' ||
      p === 'app' ||
      p.startsWith('src/') ||
      p.startsWith('app/')
    )
  })
}

export const MLD007: Rule = {
  code: 'MLD007',
  severity: 'info',
  message:
    'Model files are copied after the application code, so every code change rebuilds and re-pushes the model layer. COPY models before the code',
  name: 'model-artifacts-copied-after-code',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const stage of df.stages) {
      let codeSeen = false
      for (const i of contextCopies(stage.instructions)) {
        const model = !isWholeContextCopy(i) && copyInfo(i).sources.some(isModelSource)
        if (model && codeSeen) out.push({ line: i.line })
        if (isCodeCopy(i)) codeSeen = true
      }
    }
    return out
  }
}
