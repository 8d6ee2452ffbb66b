import { finalStage, lineage } from '../facts/lineage.js'
import { isCudaImage, rootImage } from '../facts/images.js'
import type { Hit, Rule } from '../rule.js'
import { torchInstalls } from '../facts/torch.js'

export const MLD026: Rule = {
  code: 'MLD026',
  severity: 'info',
  message: 'torch is installed from the default index on a CPU image (pulls the CUDA wheels)',
  name: 'torch-default-index-in-cpu-image',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    if (!stage || isCudaImage(rootImage(stage))) return []
    if (lineage(stage).some((s) => /arm64|aarch64/.test(s.platform ?? ''))) return []
    const out: Hit[] = []
    for (const t of torchInstalls(stage, context)) {
      if (!t.explicitIndex) {
        out.push({
          line: t.instr.line,
          message:
            'torch is installed from the default index on a non-CUDA base: on linux/amd64 that wheel pulls 2-3 GB of nvidia-* CUDA libraries the image cannot use. Install from the whl/cpu index (`--index-url <pytorch index>/whl/cpu`)'
        })
      }
    }
    return out
  }
}
