/** Image facts: the base a stage runs on (through `FROM <alias>`), its family and what it ships. */
import { familiarReference, repositoryOf, splitReference } from '../../reference.js'
import { type Stage } from '../model.js'
import { lineage } from './lineage.js'

/** The external image a stage is ultimately built on (through `FROM <alias>` chains), normalized. */
export function rootImage(stage: Stage): string | undefined {
  const chain = lineage(stage)
  const root = chain[chain.length - 1]
  const image = root.resolvedImage
  if (image === undefined || image === '') return undefined
  return normalizeImage(image)
}

/** Docker Hub's familiar form: `docker.io/library/python:3` -> `python:3`. */
export function normalizeImage(image: string): string {
  return familiarReference(image)
}

/** The repository as written, without tag or digest. */
export function imageName(image: string): string {
  return repositoryOf(image)
}

export function imageTag(image: string): string | undefined {
  return splitReference(image).tag
}

export function isOfficialPython(image: string | undefined): boolean {
  return image !== undefined && imageName(image) === 'python'
}

/** `3.11` for `python:3.11-slim`, undefined for other images or tags without a minor version. */
export function pythonMinor(image: string | undefined): string | undefined {
  if (!isOfficialPython(image)) return undefined
  return /^(\d+\.\d+)/.exec(imageTag(image!) ?? '')?.[1]
}

export function isCudaImage(image: string | undefined): boolean {
  if (image === undefined) return false
  const name = imageName(image)
  return (
    name === 'nvidia/cuda' ||
    name.startsWith('nvcr.io/nvidia/') ||
    (name === 'pytorch/pytorch' && (imageTag(image) ?? '').includes('cuda')) ||
    image.toLowerCase().includes('cuda')
  )
}

// --- D8: base image facts -------------------------------------------------------------------------

export type BinaryPresence = 'present' | 'absent' | 'unknown'

const DEBIAN_CODENAMES = ['bookworm', 'bullseye', 'buster', 'trixie', 'stretch']

/** Full `python:<version>` or `python:<version>-<codename>` (buildpack-deps based). */
export function isFullPython(image: string | undefined): boolean {
  if (!isOfficialPython(image)) return false
  const tag = imageTag(image!) ?? ''
  return new RegExp(`^\\d+(\\.\\d+)*(-(${DEBIAN_CODENAMES.join('|')}))?$`).test(tag)
}

/** Whether the base image ships a binary (D8); 'unknown' for bases the catalog does not describe. */
export function baseShips(image: string | undefined, binary: string): BinaryPresence {
  if (image === undefined) return 'unknown'
  const name = imageName(image)
  const tag = imageTag(image) ?? ''
  if (image === 'scratch' || name.startsWith('gcr.io/distroless/')) return 'absent'
  if ((name === 'python' && tag.includes('alpine')) || name === 'alpine') {
    return binary === 'wget' || binary === 'nc' ? 'present' : 'absent'
  }
  if (isFullPython(image)) return binary === 'curl' || binary === 'wget' ? 'present' : 'absent'
  const slimLike =
    (name === 'python' && tag.includes('slim')) ||
    (name === 'debian' && tag.includes('slim')) ||
    name === 'ubuntu' ||
    (name === 'nvidia/cuda' && (/-base-/.test(tag) || /-runtime-/.test(tag)))
  return slimLike ? 'absent' : 'unknown'
}

// --- CUDA toolkits -------------------------------------------------------------------------------

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

/** `nvidia/cuda:*-runtime-*` and `-base-` images: CUDA libraries, but no nvcc and no headers. */
export function isCudaWithoutToolkit(image: string | undefined): boolean {
  if (image === undefined) return false
  const name = imageName(image)
  if (name !== 'nvidia/cuda' && name !== 'nvcr.io/nvidia/cuda') return false
  return /-(runtime|base)(-|$)/.test(imageTag(image) ?? '')
}
