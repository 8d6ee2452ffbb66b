import { finalStage } from '../model.js'
import { imageName, imageTag, rootImage } from '../ml.js'
import type { Rule } from '../rule.js'

export function isCudaDevel(image: string | undefined): boolean {
  if (image === undefined) return false
  const name = imageName(image)
  const tag = imageTag(image) ?? ''
  if ((name === 'nvidia/cuda' || name === 'nvcr.io/nvidia/cuda') && tag.includes('-devel'))
    return true
  if (name === 'pytorch/pytorch' && tag.endsWith('-devel')) return true
  // NGC framework containers ship the whole CUDA toolkit (nvcc, headers, cuDNN dev, NCCL)
  if (/^nvcr\.io\/nvidia\/(pytorch|tensorflow|jax|nemo)$/.test(name)) return true
  return name === 'tensorflow/tensorflow' && tag.includes('devel')
}

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
