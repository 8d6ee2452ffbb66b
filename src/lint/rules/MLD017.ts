import { healthInfo } from '../model.js'
import type { Hit, Rule } from '../rule.js'
import { flagsOf } from '../shell.js'

export const MLD017: Rule = {
  code: 'MLD017',
  severity: 'warning',
  message: 'The HEALTHCHECK HTTP probe passes on 4xx/5xx answers',
  name: 'healthcheck-ignores-http-status',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const instr of df.instructions.filter((i) => i.keyword === 'HEALTHCHECK')) {
      const hc = healthInfo(instr)
      if (!hc || hc.none) continue
      for (const cmd of hc.commands) {
        if (cmd.base !== 'curl') continue
        const flags = flagsOf(cmd).map((f) => f.flag)
        const checksStatus = cmd.args.some((a) => a.value.includes('http_code'))
        if (
          !flags.includes('f') &&
          !flags.includes('fail') &&
          !flags.includes('fail-with-body') &&
          !checksStatus
        ) {
          out.push({
            line: hc.line,
            message:
              'The HEALTHCHECK runs curl without `-f`/`--fail`: a server answering 500 or 503 still counts as healthy. Use `curl -fsS ...`'
          })
          break
        }
      }
      for (const code of hc.python) {
        if (
          /\b(requests|httpx)\.(get|head)\s*\(/.test(code) &&
          !/raise_for_status|status_code|\.ok\b/.test(code)
        ) {
          out.push({
            line: hc.line,
            message:
              'The HEALTHCHECK calls requests/httpx without checking the status: a 500 or 503 answer still passes. Call `.raise_for_status()` or use `urllib.request.urlopen`, which raises on HTTP errors'
          })
          break
        }
      }
    }
    return out
  }
}
