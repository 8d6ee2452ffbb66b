import { copyInfo } from '../model.js'
import { stageByRef } from '../facts/lineage.js'
import { pythonMinor, rootImage } from '../facts/images.js'
import type { Hit, Rule } from '../rule.js'
import { createdVenvs, VENV_SOURCE } from '../facts/python.js'

function pythonProduct(src: string, venvs: string[]): boolean {
  return (
    /\.whl$|(^|\/)wheels?(\/|$)|(^|\/)dist\/?$/.test(src) ||
    VENV_SOURCE.test(src) ||
    venvs.includes(src.replace(/\/+$/, '')) ||
    /\/lib\/python\d+\.\d+/.test(src) ||
    /site-packages/.test(src)
  )
}

export const MLD031: Rule = {
  code: 'MLD031',
  severity: 'error',
  message: 'Python build products are copied between stages with different Python minor versions',
  name: 'python-minor-mismatch-across-stages',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const stage of df.stages) {
      const mine = pythonMinor(rootImage(stage))
      if (!mine) continue
      for (const copy of stage.instructions.filter(
        (i) => i.keyword === 'COPY' && copyInfo(i).from !== undefined
      )) {
        const from = stageByRef(df, copyInfo(copy).from!, stage.index)
        const theirs = from && pythonMinor(rootImage(from))
        if (!from || !theirs || theirs === mine) continue
        const venvs = createdVenvs(df, from)
        if (!copyInfo(copy).sources.some((s) => pythonProduct(s, venvs))) continue
        out.push({
          line: copy.line,
          message: `Python build products are copied from stage ${copyInfo(copy).from} (Python ${theirs}) into a Python ${mine} stage: wheels are tagged cp${theirs.replace('.', '')} and a venv embeds lib/python${theirs}, so they fail to install or import. Use the same Python minor in both stages`
        })
      }
    }
    return out
  }
}
