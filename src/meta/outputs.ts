import type { MetaResult } from './types.js'

export interface OutputSeparators {
  sepTags?: string
  sepLabels?: string
  sepAnnotations?: string
}

/** The action outputs (`version`, `tags`, `tag-names`, `labels`, `annotations`, `json`) as strings. */
export function actionOutputs(
  result: MetaResult,
  seps: OutputSeparators = {}
): Record<string, string> {
  const sepTags = seps.sepTags || '\n'
  return {
    version: result.version,
    tags: result.tags.join(sepTags),
    'tag-names': result.tagNames.join(sepTags),
    labels: Object.entries(result.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(seps.sepLabels || '\n'),
    annotations: result.annotations.join(seps.sepAnnotations || '\n'),
    json: JSON.stringify(result.json)
  }
}
