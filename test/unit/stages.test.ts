import { describe, expect, it } from '@jest/globals'
import { pushOrder } from '../../src/push/index.js'
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
    const floating = (t: string): boolean => t.endsWith(':latest-gpu')
    expect(pushOrder(['r/a:latest-gpu', 'r/a:1.2.3', 'r/a:1', 'r/a:1.2'], floating)).toEqual([
      'r/a:1.2.3',
      'r/a:1',
      'r/a:1.2',
      'r/a:latest-gpu'
    ])
  })
})
