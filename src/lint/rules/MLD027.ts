import { VENV_SOURCE, createdVenvs } from '../facts/python.js'
import { copyInfo, envPairs, execForm, expand } from '../model.js'
import { finalStage, lineageInstructions, stageByRef } from '../facts/lineage.js'
import { resolvePath, varsBefore, workdirBefore } from '../facts/scopes.js'
import type { Hit, Rule } from '../rule.js'

export const MLD027: Rule = {
  code: 'MLD027',
  severity: 'error',
  message: 'A virtualenv copied from another stage is not activated or was moved',
  name: 'venv-copied-but-not-activated',
  check: ({ df }) => {
    const stage = finalStage(df)
    if (!stage) return []
    const out: Hit[] = []
    const instrs = lineageInstructions(stage)
    for (const copy of stage.instructions.filter(
      (i) => i.keyword === 'COPY' && copyInfo(i).from !== undefined
    )) {
      const c = copyInfo(copy)
      const from = stageByRef(df, c.from!, stage.index)
      const vars = varsBefore(df, copy)
      const dest = resolvePath(expand(c.dest, vars) ?? c.dest, workdirBefore(df, copy))
      const created = from ? createdVenvs(df, from) : []
      for (const rawSrc of c.sources) {
        const src = resolvePath(
          expand(
            rawSrc,
            from
              ? varsBefore(df, from.instructions[from.instructions.length - 1] ?? from.from)
              : vars
          ) ?? rawSrc,
          '/'
        )
        if (!VENV_SOURCE.test(src) && !created.includes(src)) continue
        // COPY of a directory copies its contents: the venv lands at dest
        const venvAt = dest.replace(/\/+$/, '') || '/'
        const problems: string[] = []
        if (created.length > 0 && created.includes(src) && src !== venvAt) {
          problems.push(
            `it was created at ${src} and is copied to ${venvAt}, so console scripts (uvicorn, gunicorn) keep shebangs pointing at ${src}`
          )
        }
        const pathSet = instrs.some(
          (i) =>
            i.keyword === 'ENV' &&
            envPairs(i).some(
              (p) =>
                p.key === 'PATH' &&
                // each entry on its own: `$PATH` itself is unknown here and must not hide the rest
                p.value
                  .split(':')
                  .some(
                    (d) =>
                      (expand(d, varsBefore(df, i)) ?? d).replace(/\/+$/, '') === `${venvAt}/bin`
                  )
            )
        )
        const called = instrs.some(
          (i) =>
            (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') &&
            execForm(i).script.includes(`${venvAt}/bin/`)
        )
        if (!pathSet && !called)
          problems.push(
            `no ENV PATH contains ${venvAt}/bin, so python and the console scripts come from the system interpreter (ModuleNotFoundError)`
          )
        if (problems.length > 0) {
          out.push({
            line: copy.line,
            message: `The virtualenv copied from stage ${c.from} is not usable as is: ${problems.join('; ')}. Copy it to the same path and set \`ENV PATH="${venvAt}/bin:$PATH"\``
          })
        }
        break
      }
    }
    return out
  }
}
