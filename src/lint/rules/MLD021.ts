import { copyInfo, runInfo, type Instr } from '../model.js'
import { callsAny, MODEL_LOADERS, modelDownloadTools, usesFlag } from '../facts/python.js'
import type { Hit, Rule } from '../rule.js'
import { type SimpleCommand } from '../shell.js'

const MUTABLE_URL = /\/resolve\/(main|master)\/|\/releases\/latest\/download\//

function spacyModel(cmd: SimpleCommand): string | undefined {
  const v = cmd.args.map((a) => a.value)
  const k = v.indexOf('download')
  return v.slice(k + 1).find((a) => !a.startsWith('-'))
}

const NLTK_WHY =
  'nltk data is fetched from the current nltk_data index; download a fixed nltk_data commit (or vendor the corpora) instead'

/** Hosts that serve models and datasets as git repositories. */
const MODEL_HOSTS =
  /^(https?:\/\/)?([^/]*@)?(huggingface\.co|hf\.co|www\.modelscope\.cn|modelscope\.cn)\//

/** The URL a `git clone` fetches when it is a model or data repository, else undefined. */
export function modelRepo(clone: SimpleCommand): string | undefined {
  const url = clone.args
    .slice(1)
    .map((a) => a.value)
    .find((v) => /^(https?:\/\/|git@|ssh:\/\/)/.test(v))
  if (url === undefined) return undefined
  if (MODEL_HOSTS.test(url)) return url
  const repo =
    url
      .replace(/\.git$/, '')
      .replace(/\/+$/, '')
      .split(/[/:]/)
      .pop() ?? ''
  return /(^|[-_])(models?|weights|checkpoints?|datasets?|data)([-_]|$)/i.test(repo)
    ? url
    : undefined
}

/** `git clone --branch v1.2.0` / `-b 2024.01` names a release tag, not a moving branch. */
function pinnedBranch(clone: SimpleCommand): boolean {
  const v = clone.args.map((a) => a.value)
  const k = v.findIndex((a) => a === '--branch' || a === '-b')
  const ref = k >= 0 ? v[k + 1] : v.find((a) => a.startsWith('--branch='))?.slice(9)
  return ref !== undefined && /^v?\d+(\.\d+)+|^[0-9a-f]{40}$/.test(ref)
}

/** Why a RUN's model download is not pinned, or undefined. */
export function unpinnedDownload(instr: Instr): string | undefined {
  const { commands, python } = runInfo(instr)
  for (const { cmd, tool } of modelDownloadTools(commands)) {
    if (tool === 'spacy download') {
      const model = spacyModel(cmd)
      if (model && !/-\d+\.\d+\.\d+/.test(model))
        return `\`spacy download ${model}\` installs whatever version is current; pin it (\`${model}==X.Y.Z\` in requirements or the versioned wheel URL)`
    } else if (tool === 'nltk.downloader') {
      return NLTK_WHY
    } else if (tool.endsWith(' download') && !usesFlag(cmd, '--revision')) {
      return `\`${tool}\` without \`--revision\` fetches the current head of the repository`
    }
  }
  for (const code of python) {
    if (callsAny(code, MODEL_LOADERS) && !/\brevision\s*=/.test(code))
      return 'the model is loaded by name without `revision=`, so a rebuild fetches whatever the hub has now'
  }
  for (const code of python) {
    if (/\bnltk\.download\(/.test(code)) return NLTK_WHY
  }
  const git = commands.find((c) => c.base === 'git' && c.args[0]?.value === 'clone' && modelRepo(c))
  if (
    git &&
    !pinnedBranch(git) &&
    !commands.some(
      (c) =>
        c.base === 'git' &&
        c.args.some((a) => a.value === 'checkout' || a.value === 'reset' || a.value === 'switch')
    )
  ) {
    return `\`git clone ${modelRepo(git)!}\` of a model or data repository without \`git checkout <commit>\` takes the current head`
  }
  const url = commands.flatMap((c) => c.args).find((a) => MUTABLE_URL.test(a.value))
  if (url) return `${url.value} points at a moving branch or release; use a commit or release tag`
  return undefined
}

export const MLD021: Rule = {
  code: 'MLD021',
  severity: 'warning',
  message: 'A model is downloaded by a mutable reference (no version, revision or commit)',
  name: 'unpinned-model-download',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const i of df.instructions) {
      let why: string | undefined
      if (i.keyword === 'RUN') why = unpinnedDownload(i)
      else if (i.keyword === 'ADD') {
        const src = copyInfo(i).sources.find((s) => MUTABLE_URL.test(s))
        if (src) why = `${src} points at a moving branch or release; use a commit or release tag`
      }
      if (why)
        out.push({
          line: i.line,
          message: `Model download by a mutable reference: ${why}. The same Dockerfile then builds a different model`
        })
    }
    return out
  }
}
