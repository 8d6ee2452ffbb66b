import { describe, expect, it } from '@jest/globals'
import { parseRunArgs } from '../../src/cli.js'

describe('ml-docker run flags', () => {
  it('maps flags to input names, repeats to lines, booleans to true/false', () => {
    const a = parseRunArgs([
      'svc',
      '--tags',
      'type=ref,event=branch',
      '--tags=type=sha',
      '--no-smoke',
      '--push',
      '--scan-severity',
      'CRITICAL'
    ])
    expect(a.values).toEqual({
      context: 'svc',
      tags: 'type=ref,event=branch\ntype=sha',
      smoke: 'false',
      push: 'true',
      'scan-severity': 'CRITICAL'
    })
  })
  it('takes the password only on stdin', () => {
    expect(() => parseRunArgs(['--password', 'x'])).toThrow(/--password-stdin/)
    expect(parseRunArgs(['--password-stdin']).passwordStdin).toBe(true)
  })
  it('says which flag is unknown or missing its value', () => {
    expect(() => parseRunArgs(['--imagez', 'a'])).toThrow(/Unknown option --imagez/)
    expect(() => parseRunArgs(['--images'])).toThrow(/--images needs a value/)
    expect(() => parseRunArgs(['a', 'b'])).toThrow(/one CONTEXT/)
  })
  it('--no-push turns push off', () => {
    expect(parseRunArgs(['--no-push']).values.push).toBe('false')
  })
})
