import { describe, expect, it } from '@jest/globals'
import type { BuildResult } from '../../src/build/index.js'
import type { PipelineResult } from '../../src/pipeline.js'
import type { PushResult } from '../../src/push/index.js'
import { summaryMarkdown, summaryText } from '../../src/report/summary.js'

const amd64 = `sha256:${'a'.repeat(64)}`
const arm64 = `sha256:${'b'.repeat(64)}`
const index = `sha256:${'c'.repeat(64)}`

function result(
  platforms: { platform: string; digest: string }[],
  pushed: boolean
): PipelineResult {
  return {
    ok: true,
    stages: [{ name: 'push', status: pushed ? 'passed' : 'skipped', seconds: 1, detail: '' }],
    outputs: {},
    cleanup: { containers: [] },
    reportDir: '/tmp/r',
    build: { platforms } as BuildResult,
    ...(pushed
      ? { push: { pushed: ['reg/app:1.2.3'], digest: index } as unknown as PushResult }
      : {})
  }
}

describe('summary', () => {
  const two = [
    { platform: 'linux/amd64', digest: amd64 },
    { platform: 'linux/arm64', digest: arm64 }
  ]
  it("names each platform's manifest under the pushed index digest", () => {
    const text = summaryText(result(two, true))
    expect(text).toContain(`digest: ${index}`)
    expect(text).toContain(`linux/amd64: ${amd64}`)
    expect(text).toContain(`linux/arm64: ${arm64}`)
    const md = summaryMarkdown({
      ...result(two, true),
      meta: { tags: ['reg/app:1.2.3'] } as PipelineResult['meta']
    })
    expect(md).toContain(`- linux/arm64: \`${arm64}\``)
  })
  it('says nothing of platforms for one platform, or when nothing was pushed', () => {
    expect(summaryText(result([two[0]], true))).not.toContain('linux/amd64:')
    expect(summaryText(result(two, false))).not.toContain('linux/amd64:')
  })
})
