import { finalStage } from '../facts/lineage.js'
import { isCudaImage, rootImage } from '../facts/images.js'
import type { Hit, Rule } from '../rule.js'
import { torchInstalls } from '../facts/torch.js'

export const MLD025: Rule = {
  code: 'MLD025',
  severity: 'warning',
  message: 'CPU-only torch wheels are installed on a CUDA base image',
  name: 'torch-cpu-wheels-in-gpu-image',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    if (!stage || !isCudaImage(rootImage(stage))) return []
    const out: Hit[] = []
    for (const t of torchInstalls(stage, context)) {
      if (t.variant === 'cpu') {
        out.push({
          line: t.instr.line,
          message: `CPU-only torch wheels are installed on the CUDA base ${rootImage(stage)!}: the image silently runs inference on the CPU. Use the whl/cuXXX index matching the base's CUDA version`
        })
      }
    }
    return out
  }
}
