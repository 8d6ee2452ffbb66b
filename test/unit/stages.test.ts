import { describe, expect, it } from '@jest/globals'
import { parsePushDigest, pushOrder } from '../../src/push/index.js'
import { hasHealthcheck, healthTiming, verdict, worstCaseSeconds } from '../../src/smoke/health.js'

const NS = 1_000_000_000

describe('smoke verdicts', () => {
  it('reads the container state the way docker reports it', () => {
    expect(
      verdict({ Status: 'running', Running: true, ExitCode: 0, Health: { Status: 'starting' } })
    ).toBe('starting')
    expect(
      verdict({ Status: 'running', Running: true, ExitCode: 0, Health: { Status: 'healthy' } })
    ).toBe('healthy')
    expect(
      verdict({ Status: 'running', Running: true, ExitCode: 0, Health: { Status: 'unhealthy' } })
    ).toBe('unhealthy')
    expect(
      verdict({ Status: 'exited', Running: false, ExitCode: 3, Health: { Status: 'starting' } })
    ).toBe('exited')
  })
  it('treats HEALTHCHECK NONE and a missing check alike', () => {
    expect(hasHealthcheck(null)).toBe(false)
    expect(hasHealthcheck({ Test: ['NONE'] })).toBe(false)
    expect(hasHealthcheck({ Test: ['CMD', 'true'] })).toBe(true)
  })
  it('applies docker defaults to the timing', () => {
    expect(healthTiming({ Test: ['CMD', 'x'] })).toEqual({
      interval: 30,
      timeout: 30,
      startPeriod: 0,
      retries: 3
    })
    expect(
      worstCaseSeconds({
        Test: ['CMD', 'x'],
        Interval: 2 * NS,
        Timeout: 1 * NS,
        Retries: 2,
        StartPeriod: 5 * NS
      })
    ).toBe(11)
  })
})

describe('push', () => {
  it('pushes version tags before floating ones', () => {
    expect(pushOrder(['r/a:latest', 'r/a:1.2.3', 'r/a:1', 'r/a:1.2'])).toEqual([
      'r/a:1.2.3',
      'r/a:1',
      'r/a:1.2',
      'r/a:latest'
    ])
  })
  it('reads the digest docker push prints', () => {
    const d = 'sha256:' + 'a'.repeat(64)
    expect(parsePushDigest(`1.2.3: digest: ${d} size: 1234`)).toBe(d)
    expect(parsePushDigest('nothing')).toBeUndefined()
  })
})
