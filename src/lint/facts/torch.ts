/** Where torch wheels come from, for MLD025/MLD026. */
import { lineageInstructions, stageEnv } from './lineage.js'
import { runInfo, type Instr, type Stage } from '../model.js'
import {
  findRequirementsFile,
  normalizeDist,
  parsePipInstall,
  requirementLines
} from './installs.js'
import type { BuildContext } from '../context.js'

const TORCH = new Set(['torch', 'torchvision', 'torchaudio'])
/** PyTorch's own wheel index path; matched without the host name */
const PYTORCH_INDEX = /pytorch\.org\/whl(\/(nightly\/)?([a-z0-9.]+))?/

export interface TorchInstall {
  instr: Instr
  /** `cpu`, `cu121`, ... when an index URL or a local version says so; 'pytorch' for the index root */
  variant: string | undefined
  /** an index URL of PyTorch's own was given */
  explicitIndex: boolean
}

function variantOf(
  urls: string[],
  specs: string[]
): { variant: string | undefined; explicit: boolean } {
  for (const s of specs) {
    const local = /\+(cpu|cu\d+|rocm[\d.]+)\b/.exec(s)
    if (local) return { variant: local[1], explicit: true }
  }
  for (const u of urls) {
    const m = PYTORCH_INDEX.exec(u)
    if (m) return { variant: m[3] ?? 'pytorch', explicit: true }
  }
  return { variant: undefined, explicit: false }
}

export function torchInstalls(stage: Stage, context: BuildContext | undefined): TorchInstall[] {
  const out: TorchInstall[] = []
  const env = stageEnv(stage)
  const envUrls = [
    env.get('PIP_INDEX_URL'),
    env.get('PIP_EXTRA_INDEX_URL'),
    env.get('PIP_FIND_LINKS'),
    env.get('UV_INDEX_URL'),
    env.get('UV_EXTRA_INDEX_URL')
  ].filter((u): u is string => u !== undefined)
  for (const instr of lineageInstructions(stage).filter((i) => i.keyword === 'RUN')) {
    for (const cmd of runInfo(instr).commands) {
      const pip = parsePipInstall(cmd)
      if (!pip) continue
      const specs = pip.packages.filter((p) => TORCH.has(normalizeDist(p)))
      const urls = [
        ...pip.indexUrls,
        ...envUrls,
        ...cmd.assignments.filter((a) => /INDEX_URL|FIND_LINKS/.test(a.name)).map((a) => a.value)
      ]
      for (const r of pip.requirements) {
        const content = findRequirementsFile(context, r)?.content
        if (content === undefined) continue
        for (const { line, option } of requirementLines(content)) {
          if (option) {
            const m = /^(--index-url|--extra-index-url|-i|-f|--find-links)[=\s]+(\S+)/.exec(line)
            if (m) urls.push(m[2])
          } else if (TORCH.has(normalizeDist(line))) specs.push(line)
        }
      }
      if (specs.length === 0) continue
      const { variant, explicit } = variantOf(urls, specs)
      out.push({ instr, variant, explicitIndex: explicit })
    }
  }
  return out
}
