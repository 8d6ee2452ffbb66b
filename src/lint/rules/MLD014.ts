import { copyInfo } from '../model.js'
import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { baseShips, rootImage } from '../facts/images.js'
import { effectiveHealthcheck } from '../facts/command.js'
import { installsIn } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'
import { baseName } from '../shell.js'

/** Binaries health checks call, and the packages that provide them. */
const PROVIDERS: Record<string, string[]> = {
  curl: ['curl'],
  wget: ['wget'],
  nc: ['netcat-openbsd', 'netcat-traditional', 'ncat', 'netcat'],
  netcat: ['netcat-openbsd', 'netcat-traditional', 'ncat', 'netcat'],
  'redis-cli': ['redis-tools', 'redis-server', 'redis'],
  pg_isready: ['postgresql-client']
}

export const MLD014: Rule = {
  code: 'MLD014',
  severity: 'error',
  message:
    'The HEALTHCHECK calls a binary (curl, wget, nc, redis-cli, pg_isready) that the final image does not have',
  name: 'healthcheck-binary-not-installed',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    const hc = stage && effectiveHealthcheck(stage)
    if (!stage || !hc || hc.none) return []
    const image = rootImage(stage)
    const instrs = lineageInstructions(stage)
    const installed = installsIn(instrs, context).os
    const copied = new Set(
      instrs
        .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
        .flatMap((i) =>
          [...copyInfo(i).sources, copyInfo(i).dest].map((p) => baseName(p.replace(/\/+$/, '')))
        )
    )
    const out: Hit[] = []
    const reported = new Set<string>()
    for (const cmd of hc.commands) {
      const bin = cmd.base
      const providers = PROVIDERS[bin]
      if (!providers || reported.has(bin)) continue
      if (baseShips(image, bin === 'netcat' ? 'nc' : bin) !== 'absent') continue
      const viaPackage = [...installed.keys()].some(
        (p) => providers.includes(p) || (bin === 'pg_isready' && p.startsWith('postgresql-client'))
      )
      if (viaPackage || copied.has(bin)) continue
      reported.add(bin)
      out.push({
        line: hc.line,
        message: `The HEALTHCHECK runs \`${bin}\`, which ${image} does not ship and no RUN installs: the check can never pass and the container stays unhealthy. Install ${providers[0]} in the final stage or probe with the Python standard library (urllib.request)`
      })
    }
    return out
  }
}
