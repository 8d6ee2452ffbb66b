/**
 * ShellCheck on RUN scripts, the way hadolint 2.15.1 runs it: shell-form RUNs only (exec form
 * and ONBUILD RUNs included as their own stream, like hadolint's `onbuild` rules), skipped under
 * a non-POSIX SHELL (pwsh, powershell, cmd) or when the script starts with a shebang of another
 * interpreter; the script is prefixed with `#!<first word of the SHELL>` (which picks
 * ShellCheck's dialect) and `export NAME=1` for the proxy variables and every ARG/ENV name seen
 * so far in the stage; SC1090, SC1091 and SC2187 are excluded. Findings carry their SC id, their
 * ShellCheck severity and the RUN's first line, and then go through pragmas and configuration
 * like every rule.
 *
 * The `shellcheck` binary is a separate program: one process per Dockerfile checks all of its RUN
 * scripts (written to temporary files), so a Dockerfile costs one process start, not one per RUN.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { parseJsonArray } from './dockerfile.js'
import { argDecls, envPairs, runInfo, type Dockerfile, type Instr } from './model.js'
import type { Severity } from './types.js'

export interface ShellScript {
  /** line of the RUN instruction */
  line: number
  /** the SHELL in effect, as hadolint records it (`/bin/sh -c`, `/bin/bash -o pipefail -c`) */
  shell: string
  /** variable names exported before the script */
  vars: string[]
  /** the script as written in the RUN */
  script: string
}

export interface ShellcheckFinding {
  code: string
  severity: Severity
  line: number
  message: string
}

const DEFAULT_SHELL = '/bin/sh -c'
const PROXY_VARS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy'
]
/** hadolint's exclusions: ash is not a ShellCheck dialect, and `source` targets cannot be given. */
export const EXCLUDED = [2187, 1090, 1091]
const NON_POSIX = ['pwsh', 'powershell', 'cmd']
const SUPPORTED_SHEBANGS = [
  '#!/bin/sh',
  '#!/bin/bash',
  '#!/bin/ksh',
  '#!/usr/bin/env sh',
  '#!/usr/bin/env bash',
  '#!/usr/bin/env ksh'
]
const SHELL_PRAGMA = /^\s*hadolint\s+shell\s*=\s*(\S+)/

interface Opts {
  shell: string
  vars: Set<string>
}

/**
 * The scripts hadolint hands to ShellCheck, with the shell and variables in effect. hadolint's
 * state rules are kept: an ARG or ENV sets the shell back to `/bin/sh` (only SHELL and the
 * `# hadolint shell=` pragma set another), a stage built `FROM <alias>` starts with that stage's
 * shell and variables, any other stage with the defaults, and ARGs before the first FROM are not
 * exported into stages.
 */
export function shellcheckScripts(df: Dockerfile): ShellScript[] {
  return [...collect(df.instructions, df), ...collect(df.onbuild, df)]
}

function collect(instrs: Instr[], df: Dockerfile): ShellScript[] {
  const events: (
    { kind: 'instr'; line: number; instr: Instr } | { kind: 'pragma'; line: number; shell: string }
  )[] = instrs.map((instr) => ({ kind: 'instr' as const, line: instr.line, instr }))
  if (instrs === df.instructions) {
    for (const c of df.parsed.comments) {
      const m = SHELL_PRAGMA.exec(c.text)
      if (m) events.push({ kind: 'pragma', line: c.line, shell: m[1] })
    }
    events.sort((a, b) => a.line - b.line)
  }
  const fresh = (): Opts => ({ shell: DEFAULT_SHELL, vars: new Set(PROXY_VARS) })
  let defaults = fresh()
  let opts = fresh()
  const byAlias = new Map<string, Opts>()
  const out: ShellScript[] = []
  for (const e of events) {
    if (e.kind === 'pragma') {
      opts.shell = e.shell
      if (!df.stages.some((s) => s.from.line < e.line))
        defaults = { shell: e.shell, vars: new Set(opts.vars) }
      continue
    }
    const i = e.instr
    if (i.keyword === 'FROM' && i.stage) {
      const parent = byAlias.get(i.stage.image)
      opts = parent
        ? { shell: parent.shell, vars: new Set(parent.vars) }
        : { shell: defaults.shell, vars: new Set(defaults.vars) }
      if (i.stage.alias !== undefined && !byAlias.has(i.stage.alias))
        byAlias.set(i.stage.alias, opts)
    } else if (i.keyword === 'ARG' || i.keyword === 'ENV') {
      const names =
        i.keyword === 'ARG' ? argDecls(i).map((a) => a.name) : envPairs(i).map((p) => p.key)
      opts.shell = DEFAULT_SHELL
      for (const n of names) opts.vars.add(n)
    } else if (i.keyword === 'SHELL') {
      const words = parseJsonArray(i.args)
      opts.shell = words ? words.join(' ') : i.args
    } else if (i.keyword === 'RUN') {
      const run = runInfo(i)
      if (run.exec) continue
      // hadolint's text of a heredoc RUN: for `RUN <<EOF [cmd]` the first heredoc's body; for
      // `RUN cmd <<EOF ...` only the command line before the first marker (checked against 2.15.1)
      let script = run.script
      if (i.heredocs.length > 0) {
        script = /^\s*<<-?/.test(i.args) ? i.heredocs[0].content : i.args.split(/<<-?/)[0]
      }
      if (script.trim() === '') continue
      if (NON_POSIX.some((n) => opts.shell.includes(n))) continue
      if (script.startsWith('#!') && !SUPPORTED_SHEBANGS.some((s) => script.startsWith(s))) continue
      out.push({ line: i.line, shell: opts.shell, vars: [...opts.vars].sort(), script })
    }
  }
  return out
}

/** The file ShellCheck reads for one script. */
export function shellcheckInput(s: ShellScript): string {
  const shebang = s.shell.split(/\s+/).find((w) => w !== '') ?? ''
  return `#!${shebang}\n${s.vars.map((v) => `export ${v}=1\n`).join('')}${s.script}`
}

/** `shellcheck` on PATH, or undefined. */
export function findShellcheck(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, process.platform === 'win32' ? 'shellcheck.exe' : 'shellcheck')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

interface Json1Comment {
  file: string
  line: number
  code: number
  level: string
  message: string
}

const LEVELS: Record<string, Severity> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
  style: 'style'
}

/**
 * Runs ShellCheck once over all scripts. The same SC finding twice on one RUN is reported once.
 * A ShellCheck that cannot run is an Error (the caller decides whether that is fatal).
 */
export function runShellcheck(bin: string, scripts: ShellScript[]): ShellcheckFinding[] {
  if (scripts.length === 0) return []
  const dir = mkdtempSync(join(tmpdir(), 'ml-docker-sc-'))
  try {
    const files = scripts.map((s, k) => {
      const file = join(dir, `run-${k}.sh`)
      writeFileSync(file, shellcheckInput(s))
      return file
    })
    const res = spawnSync(
      bin,
      ['--norc', '--format=json1', '--severity=style', `--exclude=${EXCLUDED.join(',')}`, ...files],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
    )
    if (res.error) throw new Error(`shellcheck could not run: ${res.error.message}`)
    // exit 0: nothing found, 1: findings; anything else is a failure of ShellCheck itself
    if (res.status !== 0 && res.status !== 1)
      throw new Error(`shellcheck failed (exit ${res.status}): ${res.stderr.trim().split('\n')[0]}`)
    const comments = (JSON.parse(res.stdout) as { comments: Json1Comment[] }).comments
    const out: ShellcheckFinding[] = []
    const seen = new Set<string>()
    for (const c of comments) {
      const k = files.indexOf(c.file)
      if (k < 0) continue
      const f: ShellcheckFinding = {
        code: `SC${c.code}`,
        severity: LEVELS[c.level] ?? 'error',
        line: scripts[k].line,
        message: c.message
      }
      const key = `${f.line}\u0000${f.code}\u0000${f.message}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push(f)
    }
    return out
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
