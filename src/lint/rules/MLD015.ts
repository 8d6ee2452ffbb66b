import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { effectiveHealthcheck } from '../facts/command.js'
import { imageName, rootImage } from '../facts/images.js'
import { installsIn } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'

/** module -> distributions that provide it */
const MODULES: Record<string, string[]> = {
  requests: ['requests'],
  httpx: ['httpx'],
  urllib3: ['urllib3', 'requests'],
  aiohttp: ['aiohttp'],
  redis: ['redis'],
  psycopg2: ['psycopg2', 'psycopg2-binary'],
  grpc: ['grpcio']
}
/** distributions known to depend on requests (transitive dependencies are not resolved) */
const REQUESTS_DEPENDENTS = [
  'transformers',
  'huggingface-hub',
  'datasets',
  'mlflow',
  'kaggle',
  'docker',
  'wandb'
]
/** bases whose Python packages are known (nothing third-party) */
const KNOWN_BASES = new Set(['python', 'debian', 'ubuntu', 'alpine', 'nvidia/cuda', 'scratch'])

export function importedModules(code: string): string[] {
  const out = new Set<string>()
  for (const m of code.matchAll(
    /(?:^|[;\n]|\s)(?:import\s+([\w.]+(?:\s*,\s*[\w.]+)*)|from\s+([\w.]+)\s+import)/g
  )) {
    const names = m[1] ? m[1].split(',') : [m[2]]
    for (const n of names) out.add(n.trim().split('.')[0])
  }
  return [...out]
}

export const MLD015: Rule = {
  code: 'MLD015',
  severity: 'warning',
  message: 'The HEALTHCHECK imports a Python module the final image does not install',
  name: 'healthcheck-python-module-not-installed',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    const hc = stage && effectiveHealthcheck(stage)
    if (!stage || !hc || hc.none || hc.python.length === 0) return []
    const image = rootImage(stage)
    if (
      image === undefined ||
      !(KNOWN_BASES.has(imageName(image)) || imageName(image).startsWith('gcr.io/distroless/'))
    )
      return []
    const installs = installsIn(lineageInstructions(stage), context)
    if (installs.opaque) return []
    const out: Hit[] = []
    for (const mod of hc.python.flatMap(importedModules)) {
      const dists = MODULES[mod]
      if (!dists) continue
      const evidence =
        mod === 'requests' || mod === 'urllib3' ? [...dists, ...REQUESTS_DEPENDENTS] : dists
      if (evidence.some((d) => installs.python.has(d))) continue
      out.push({
        line: hc.line,
        message: `The HEALTHCHECK imports \`${mod}\`, which is not installed in the final image: the check fails with ModuleNotFoundError. Install ${dists[0]} or use urllib.request from the standard library`
      })
    }
    return out
  }
}
