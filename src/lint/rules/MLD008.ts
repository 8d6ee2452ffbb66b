import { finalStage } from '../facts/lineage.js'
import { imageName, imageTag, isFullPython, rootImage } from '../facts/images.js'
import type { Rule } from '../rule.js'

export function isHeavyweight(image: string | undefined): boolean {
  if (image === undefined) return false
  const name = imageName(image)
  const tag = imageTag(image) ?? ''
  if (isFullPython(image)) return true
  if (name === 'continuumio/anaconda3') return true
  if (/^jupyter\/[^/]*-notebook$/.test(name)) return true
  return name === 'tensorflow/tensorflow' && tag.endsWith('-jupyter')
}

export const MLD008: Rule = {
  code: 'MLD008',
  severity: 'info',
  message:
    'The final stage runs on a full Python/Anaconda/Jupyter image (compilers, gigabytes of packages) instead of a slim runtime base',
  name: 'heavyweight-base-in-final-stage',
  check: ({ df }) => {
    const stage = finalStage(df)
    const image = stage && rootImage(stage)
    if (!stage || !isHeavyweight(image)) return []
    return [
      {
        line: stage.from.line,
        message: `The final stage runs on ${image}, a full image with compilers and (for Anaconda/Jupyter) gigabytes of packages. Build in that image if needed, but run on a -slim variant`
      }
    ]
  }
}
