import { expect, it } from '@jest/globals'
import {
  describeTestbed,
  registryManifest,
  runAction,
  runPost,
  tinyContext,
  uniqueName,
  type ActionRun,
  tagPush
} from './testbed.js'

describeTestbed('latest=highest', (bed) => {
  const repo = uniqueName('acme/latest')
  const release = async (tag: string, flavor: string): Promise<ActionRun> => {
    const inputs = {
      context: tinyContext(),
      images: `${bed.registry}/${repo}`,
      registry: bed.registry,
      username: bed.username,
      password: bed.password,
      'build-args': `BASE_IMAGE=${bed.busyboxImage}`,
      tags: 'type=semver,pattern={{version}}',
      flavor,
      lint: 'false',
      smoke: 'false',
      scan: 'false',
      cache: 'off'
    }
    const run = await runAction(inputs, tagPush(tag))
    await runPost(run, inputs, tagPush(tag))
    if (run.code !== 0) console.log(run.output)
    expect(run.code).toBe(0)
    return run
  }

  it('re-releasing 1.4.1 after 2.0.0 does not move latest; plain auto would', async () => {
    const v2 = await release('v2.0.0', 'latest=highest')
    expect(registryManifest(bed, `${repo}:latest`).digest).toBe(v2.outputs.digest)

    const fix = await release('v1.4.1', 'latest=highest')
    expect(registryManifest(bed, `${repo}:1.4.1`).digest).toBe(fix.outputs.digest)
    expect(registryManifest(bed, `${repo}:latest`).digest).toBe(v2.outputs.digest)
    expect(fix.output).toContain('stays where it is: 2.0.0 is higher than 1.4.1 (latest=highest)')

    // metadata-action's own behaviour, for contrast: latest follows the last release.
    const again = await release('v1.4.2', 'latest=auto')
    expect(registryManifest(bed, `${repo}:latest`).digest).toBe(again.outputs.digest)
  }, 300_000)
})
