import { describe, expect, it } from '@jest/globals'
import { decidePush } from '../../src/policy.js'
import { registryOf } from '../../src/reference.js'

describe('decidePush', () => {
  it.each([
    ['auto', 'push', true],
    ['auto', 'release', true],
    ['auto', 'workflow_dispatch', true],
    ['auto', 'pull_request', false],
    ['auto', 'pull_request_target', false],
    ['auto', 'merge_group', false],
    ['auto', 'issue_comment', false],
    ['auto', '', false],
    ['false', 'push', false],
    ['true', '', true],
    ['true', 'push', true]
  ] as const)('push: %s on "%s" -> %s', (mode, event, want) => {
    expect(decidePush(mode, event).push).toBe(want)
  })
  it('refuses push: true on a pull request instead of publishing untrusted code', () => {
    expect(() => decidePush('true', 'pull_request')).toThrow(/never pushed/)
    expect(decidePush('false', 'pull_request').push).toBe(false)
  })
})

describe('registries', () => {
  it('finds the registry of an image like Docker does', () => {
    expect(registryOf('user/app')).toBe('docker.io')
    expect(registryOf('app')).toBe('docker.io')
    expect(registryOf('127.0.0.1:5000/team/app')).toBe('127.0.0.1:5000')
    expect(registryOf('ghcr.io/o/app')).toBe('ghcr.io')
    expect(registryOf('localhost/app')).toBe('localhost')
  })
})
