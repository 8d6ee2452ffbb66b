/**
 * ShellCheck on RUN scripts, as hadolint runs it. The script selection (shell, exported
 * variables, what is skipped) is tested without the binary; the findings need `shellcheck`
 * (PATH, or the copy .ci/lint-tools.sh installs). In CI a missing binary fails these tests
 * instead of skipping them.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  countBySeverity,
  lintSource,
  toSarif,
  type LintOverrides
} from '../../../src/lint/index.js'
import { buildModel } from '../../../src/lint/model.js'
import { findShellcheck, shellcheckInput, shellcheckScripts } from '../../../src/lint/shellcheck.js'

const scripts = (src: string) => shellcheckScripts(buildModel(src, 'Dockerfile'))

describe('which RUN scripts ShellCheck sees, and how', () => {
  it('prefixes the shell and exports proxies plus the ARG/ENV names of the stage', () => {
    const [s] = scripts('ARG GLOBAL=1\nFROM debian:12\nARG V=1\nENV E=2\nRUN echo "$V"\n')
    expect(s.line).toBe(5)
    expect(s.shell).toBe('/bin/sh -c')
    expect(s.vars).toEqual(expect.arrayContaining(['V', 'E', 'HTTP_PROXY', 'no_proxy']))
    expect(s.vars).not.toContain('GLOBAL')
    expect(shellcheckInput(s)).toMatch(/^#!\/bin\/sh\nexport E=1\n(export \w+=1\n)+echo "\$V"$/)
  })
  it('takes the dialect from SHELL, which a later ARG or ENV resets to sh (as hadolint does)', () => {
    const [bash, reset] = scripts(
      'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a\nENV X=1\nRUN b\n'
    )
    expect(shellcheckInput(bash).split('\n')[0]).toBe('#!/bin/bash')
    expect(reset.shell).toBe('/bin/sh -c')
  })
  it('inherits shell and variables through FROM <alias>, not into unrelated stages', () => {
    const s = scripts(
      'FROM debian:12 AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nRUN a\nFROM debian:12\nRUN b\n'
    )
    expect(s.map((x) => x.shell)).toEqual(['/bin/bash -c', '/bin/sh -c'])
  })
  it('skips exec form, non-POSIX shells, the shell pragma for them and foreign shebangs', () => {
    expect(scripts('FROM debian:12\nRUN ["sh", "-c", "echo $x"]\n')).toEqual([])
    expect(scripts('FROM debian:12\nSHELL ["powershell", "-Command"]\nRUN echo $x\n')).toEqual([])
    expect(scripts('FROM debian:12\nSHELL ["cmd", "/S", "/C"]\nRUN echo %x%\n')).toEqual([])
    expect(scripts('FROM debian:12\n# hadolint shell=pwsh\nRUN echo $x\n')).toEqual([])
    expect(scripts('FROM debian:12\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n')).toEqual(
      []
    )
    expect(scripts('FROM debian:12\nRUN <<EOF\n#!/bin/bash\necho $x\nEOF\n')).toHaveLength(1)
  })
  it('checks ONBUILD RUN scripts too', () => {
    expect(scripts('FROM debian:12\nONBUILD RUN echo $x\n').map((s) => s.line)).toEqual([2])
  })
})

function shellcheckBinary(): string | undefined {
  const home = process.env.ML_DOCKER_TESTBED_HOME ?? join(homedir(), '.cache', 'ml-docker-testbed')
  const venv = join(home, 'hadolint', 'venv', 'bin', 'shellcheck')
  return findShellcheck() ?? (existsSync(venv) ? venv : undefined)
}

const bin = shellcheckBinary()
if (!bin && process.env.CI) {
  describe('ShellCheck findings', () => {
    it('needs shellcheck', () => {
      throw new Error(
        'shellcheck is not on PATH and .ci/lint-tools.sh has not installed it: the SC tests cannot run'
      )
    })
  })
}

;(bin ? describe : describe.skip)('ShellCheck findings', () => {
  const sc = (src: string, overrides?: LintOverrides) =>
    lintSource(src, { shellcheck: bin, overrides }).filter((f) => f.rule.startsWith('SC'))

  it('reports SC findings with their id, severity and the RUN line', () => {
    const found = sc('FROM debian:12\nRUN apt-get update \\\n && echo `date`\n')
    expect(found).toContainEqual(
      expect.objectContaining({ rule: 'SC2006', severity: 'style', line: 2 })
    )
  })
  it('uses the dialect of the SHELL', () => {
    expect(sc('FROM debian:12\nRUN [[ -f /x ]] && echo y\n').map((f) => f.rule)).toContain('SC3010')
    expect(
      sc('FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN [[ -f /x ]] && echo y\n').map(
        (f) => f.rule
      )
    ).not.toContain('SC3010')
  })
  it('treats ARG and ENV names as set, and excludes SC1090/SC1091', () => {
    expect(sc('FROM debian:12\nARG version\nRUN echo "$version"\n')).toEqual([])
    expect(sc('FROM debian:12\nRUN echo "$version"\n').map((f) => f.rule)).toEqual(['SC2154'])
    expect(sc('FROM debian:12\nRUN . /opt/conda/etc/profile.d/conda.sh\n')).toEqual([])
  })
  it('reports the unquoted pip specifier as MLD032 alongside the SC findings', () => {
    const all = lintSource('FROM python:3.12-slim\nRUN pip install "a==1" b>=2\n', {
      shellcheck: bin
    }).map((f) => f.rule)
    expect(all).toContain('MLD032')
  })
  it('applies pragmas, ignore lists and severity overrides to SC ids', () => {
    const src = 'FROM debian:12\n# hadolint ignore=SC2086\nRUN echo $HOME\n'
    expect(sc(src)).toEqual([])
    expect(sc('FROM debian:12\nRUN echo $HOME\n', { ignored: ['SC2086'] })).toEqual([])
    expect(sc('FROM debian:12\nRUN echo $HOME\n', { override: { error: ['SC2086'] } })).toEqual([
      expect.objectContaining({ rule: 'SC2086', severity: 'error' })
    ])
  })
  it('describes SC ids as ShellCheck rules in SARIF', () => {
    const findings = lintSource('FROM debian:12\nUSER 1000\nRUN echo $HOME\n', { shellcheck: bin })
    const report = {
      files: [{ file: 'Dockerfile', findings }],
      findings,
      counts: countBySeverity(findings),
      threshold: 'warning' as const,
      failed: false
    }
    const sarif = toSarif(report) as {
      runs: { tool: { driver: { rules: { id: string; name: string; helpUri: string }[] } } }[]
    }
    expect(sarif.runs[0].tool.driver.rules).toContainEqual(
      expect.objectContaining({
        id: 'SC2086',
        name: 'shellcheck',
        helpUri: 'docs/lint.md#shellcheck-sc-findings'
      })
    )
  })
  it('runs nothing for a non-POSIX SHELL', () => {
    expect(sc('FROM debian:12\nSHELL ["pwsh", "-Command"]\nRUN echo $x `y`\n')).toEqual([])
  })
})
