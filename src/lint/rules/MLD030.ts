import { envPairs, runInfo, type Instr } from '../model.js'
import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { callsAny, MODEL_LOADERS, modelDownloadTools, usesFlag } from '../facts/python.js'
import { baseUserIsRoot, finalUserIsRoot, userOf, isRootUserSpec } from '../facts/users.js'
import type { Hit, Rule } from '../rule.js'

const CACHE_VARS = [
  'HF_HOME',
  'HF_HUB_CACHE',
  'HUGGINGFACE_HUB_CACHE',
  'TRANSFORMERS_CACHE',
  'SENTENCE_TRANSFORMERS_HOME',
  'NLTK_DATA',
  'TORCH_HOME',
  'XDG_CACHE_HOME'
]

function downloadsToUserCache(instr: Instr): string | undefined {
  const { commands, python } = runInfo(instr)
  if (commands.some((c) => c.assignments.some((a) => CACHE_VARS.includes(a.name)))) return undefined
  for (const { cmd, tool } of modelDownloadTools(commands)) {
    if (
      (tool === 'huggingface-cli download' || tool === 'hf download') &&
      !usesFlag(cmd, '--local-dir', '--cache-dir')
    )
      return tool
    if (tool === 'nltk.downloader' && !usesFlag(cmd, '-d', '--dir')) return 'nltk.downloader'
  }
  for (const code of python) {
    if (callsAny(code, MODEL_LOADERS) && !/\b(cache_dir|local_dir|cache_folder)\s*=/.test(code))
      return 'a Python model download'
  }
  return undefined
}

export const MLD030: Rule = {
  code: 'MLD030',
  severity: 'warning',
  message: 'A model is downloaded as root into /root/.cache while the image runs as another user',
  name: 'model-cache-unreadable-by-runtime-user',
  check: ({ df }) => {
    const stage = finalStage(df)
    if (!stage || finalUserIsRoot(df, stage)) return []
    const out: Hit[] = []
    let root = baseUserIsRoot(stage)
    let cacheSet = false
    for (const i of lineageInstructions(stage)) {
      if (i.keyword === 'USER') root = isRootUserSpec(userOf(df, i))
      else if (
        i.keyword === 'ENV' &&
        envPairs(i).some((p) => CACHE_VARS.includes(p.key) && p.value !== '')
      )
        cacheSet = true
      else if (i.keyword === 'RUN' && root && !cacheSet) {
        const what = downloadsToUserCache(i)
        if (what) {
          out.push({
            line: i.line,
            message: `${what} runs as root into the default cache (/root/.cache, mode 700) while the image runs as a non-root user, who cannot read it and downloads again at start. Set \`ENV HF_HOME=/models\` (or pass cache_dir/--local-dir) to a readable path`
          })
        }
      }
    }
    return out
  }
}
