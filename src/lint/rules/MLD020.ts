import { argDecls, envPairs } from '../model.js'
import type { Hit, Rule } from '../rule.js'

const KNOWN = new Set([
  'HF_TOKEN',
  'HUGGING_FACE_HUB_TOKEN',
  'HUGGINGFACEHUB_API_TOKEN',
  'WANDB_API_KEY',
  'COMET_API_KEY',
  'NEPTUNE_API_TOKEN',
  'MLFLOW_TRACKING_PASSWORD',
  'MLFLOW_TRACKING_TOKEN',
  'KAGGLE_KEY',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'COHERE_API_KEY',
  'REPLICATE_API_TOKEN',
  'PINECONE_API_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AZURE_STORAGE_CONNECTION_STRING',
  'AZURE_OPENAI_API_KEY',
  'GOOGLE_API_KEY'
])
const SUFFIXES = [
  '_API_KEY',
  '_SECRET',
  '_SECRET_KEY',
  '_PASSWORD',
  '_PASSWD',
  '_TOKEN',
  '_ACCESS_KEY',
  '_PRIVATE_KEY'
]
const REFERENCE_SUFFIXES = ['_FILE', '_PATH', '_DIR']
const VALUE_PATTERNS: [RegExp, string][] = [
  [/[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:(?!\$)[^\s/@]+@/i, 'a URL with a password'],
  [/\bhf_[A-Za-z0-9]{30,}/, 'a Hugging Face token'],
  [/\bsk-[A-Za-z0-9_-]{20,}/, 'an API key (sk-...)'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bghp_[A-Za-z0-9]{36}\b/, 'a GitHub token']
]

export function credentialName(name: string): boolean {
  const n = name.toUpperCase()
  if (REFERENCE_SUFFIXES.some((s) => n.endsWith(s))) return false
  return KNOWN.has(n) || SUFFIXES.some((s) => n.endsWith(s))
}

export function credentialValue(value: string): string | undefined {
  return VALUE_PATTERNS.find(([re]) => re.test(value))?.[1]
}

export const MLD020: Rule = {
  code: 'MLD020',
  severity: 'error',
  message: 'A credential is passed through ARG or ENV (stored in the image config and history)',
  name: 'credential-in-env-or-arg',
  check: ({ df }) => {
    const out: Hit[] = []
    const advice =
      'build args and ENV values are stored in the image config and history. Use `RUN --mount=type=secret` at build time and runtime secrets/env for the container'
    for (const i of df.instructions) {
      const vars =
        i.keyword === 'ARG'
          ? argDecls(i).map((a) => ({ name: a.name, value: a.value, named: true }))
          : i.keyword === 'ENV'
            ? envPairs(i).map((p) => ({ name: p.key, value: p.value, named: p.value !== '' }))
            : []
      for (const v of vars) {
        const shape = v.value !== undefined ? credentialValue(v.value) : undefined
        if (shape)
          out.push({ line: i.line, message: `${i.keyword} ${v.name} holds ${shape}: ${advice}` })
        else if (v.named && credentialName(v.name))
          out.push({
            line: i.line,
            message: `${i.keyword} ${v.name} passes a credential: ${advice}`
          })
      }
    }
    return out
  }
}
