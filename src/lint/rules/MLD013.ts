import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { isServiceImage } from '../facts/command.js'
import type { Rule } from '../rule.js'

export const MLD013: Rule = {
  code: 'MLD013',
  severity: 'warning',
  message:
    'This service image has no HEALTHCHECK: a model server that is up but cannot serve (OOM while loading, CUDA error) stays in rotation. Add a HEALTHCHECK that probes the serving endpoint, or `HEALTHCHECK NONE` to opt out',
  name: 'healthcheck-missing-in-service-image',
  check: ({ df }) => {
    const stage = finalStage(df)
    if (!stage || !isServiceImage(stage)) return []
    if (lineageInstructions(stage).some((i) => i.keyword === 'HEALTHCHECK')) return []
    return [{ line: stage.from.line }]
  }
}
