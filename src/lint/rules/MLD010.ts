import { isCudaDevel, rootImage } from '../facts/images.js'
import { finalStage } from '../facts/lineage.js'
import type { Rule } from '../rule.js'

export const MLD010: Rule = {
  code: 'MLD010',
  severity: 'warning',
  message:
    'The final stage runs on a CUDA development image (nvcc, headers, static libraries) instead of the runtime variant',
  name: 'cuda-devel-image-in-final-stage',
  check: ({ df }) => {
    const stage = finalStage(df)
    const image = stage && rootImage(stage)
    if (!stage || !isCudaDevel(image)) return []
    return [
      {
        line: stage.from.line,
        message: `The final stage runs on the CUDA development image ${image} (nvcc, headers, static libraries: several GB inference never uses). Compile in a builder stage and run on the matching -runtime image`
      }
    ]
  }
}
