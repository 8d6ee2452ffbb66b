import { runInfo } from '../model.js'
import type { Rule } from '../rule.js'

/** Once both curl and wget were used in a stage, every RUN of it that uses either is reported. */
export const DL4001: Rule = {
  code: 'DL4001',
  severity: 'warning',
  message: 'Either use Wget or Curl but not both',
  name: 'curl-and-wget',
  onbuild: true,
  check: ({ df }) => {
    const out: { line: number }[] = []
    let curl = false
    let wget = false
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') curl = wget = false
      if (i.keyword !== 'RUN') continue
      const names = runInfo(i).commands.map((c) => c.name)
      const usesCurl = names.includes('curl')
      const usesWget = names.includes('wget')
      curl ||= usesCurl
      wget ||= usesWget
      if (curl && wget && (usesCurl || usesWget)) out.push({ line: i.line })
    }
    return out
  }
}
