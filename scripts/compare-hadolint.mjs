// Side by side: our DL (and SC) findings and the real hadolint 2.15.1 on a directory of
// Dockerfiles. Prints per-rule agreement, every difference with its explanation, and exits 1 if
// one is unexplained.
//
// Usage: node scripts/compare-hadolint.mjs [DIR] [--json] [--list-mld]
//   DIR         any directory; every file below it whose name contains "Dockerfile" (any case:
//               Dockerfile, Dockerfile.cpu, Dockerfile_amd, app.dockerfile; not .dockerignore,
//               .md, scripts) is compared (default: bench/corpus)
//   --json      print only the summary as JSON
//   --list-mld  also print our MLD findings (file:line rule message), e.g. to sample precision
//
// Agreement is counted on (rule, line) pairs: identical / union. Files hadolint cannot parse
// (it reports DL1000) are counted apart and left out of the figure. When ShellCheck is available
// (PATH or next to hadolint), SC findings are compared too: hadolint keeps at most one per RUN,
// so the figure is how many of hadolint's SC findings we also report.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { corpus, findHadolint, loadLinter, repoRoot } from './bench-lint-compile.mjs'

/**
 * Known, deliberate differences, as predicates over a difference:
 * { file, rule, line, side: 'ours-only' | 'hadolint-only', source, hadolintParseError }.
 */
const EXPLAINED = [
  {
    why: 'DL4006: hadolint 2.15.1 requires SHELL to be exactly /bin/bash, /bin/zsh or /bin/ash; we match the basename (the fix made after 2.15.1, covered by conformance cases DL4006-007/008)',
    test: (d) =>
      d.rule === 'DL4006' &&
      d.side === 'hadolint-only' &&
      /SHELL \[\s*"\/(usr\/)?(local\/)?bin\/(bash|zsh|ash)"[^\]]*pipefail/.test(d.source) &&
      !/SHELL \[\s*"\/bin\/(bash|zsh|ash)"/.test(d.source)
  },
  {
    why: 'DL1000: hadolint cannot parse an instruction placed directly after a heredoc terminator (hadolint issue #1137) or `<<-` heredocs; Docker builds both and we lint them',
    test: (d) => d.hadolintParseError
  }
]

const args = process.argv.slice(2)
const json = args.includes('--json')
const listMld = args.includes('--list-mld')
const dirArg = args.find((a) => !a.startsWith('--'))

function dockerfilesUnder(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && !name.startsWith('.')) out.push(...dockerfilesUnder(path))
    } else if (
      /dockerfile/i.test(name) &&
      !/\.(dockerignore|md|sh|py|json|ya?ml|txt|hcl)$/i.test(name)
    ) {
      out.push(path)
    }
  }
  return out
}

let files
if (dirArg) {
  const dir = resolve(dirArg)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`not a directory: ${dirArg}`)
    process.exit(2)
  }
  files = dockerfilesUnder(dir).map((path) => ({
    name: relative(dir, path),
    path,
    source: readFileSync(path, 'utf8')
  }))
} else files = corpus()
if (files.length === 0) {
  console.error(`no Dockerfile found under ${dirArg ?? join(repoRoot, 'bench', 'corpus')}`)
  process.exit(2)
}

const hadolint = await findHadolint()
const shellcheckNextToHadolint = join(dirname(hadolint), 'shellcheck')
const { lintSource, findShellcheck } = await loadLinter()
const shellcheck =
  findShellcheck() ?? (existsSync(shellcheckNextToHadolint) ? shellcheckNextToHadolint : undefined)

const perRule = new Map() // rule -> { identical, oursOnly, hadolintOnly }
const bump = (rule, field) => {
  const r = perRule.get(rule) ?? { identical: 0, oursOnly: 0, hadolintOnly: 0 }
  r[field]++
  perRule.set(rule, r)
}
const differences = []
const unparsable = []
const sc = { hadolint: 0, alsoOurs: 0, ours: 0 }
const mld = []
const key = (rule, line) => `${rule}@${line}`

for (const f of files) {
  const all = lintSource(f.source, { file: f.name, shellcheck })
  const ours = all.filter((x) => x.rule.startsWith('DL'))
  let theirsAll
  try {
    const out = execFileSync(hadolint, ['--no-fail', '--no-color', '-f', 'json', f.path], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024
    })
    theirsAll = JSON.parse(out)
  } catch (e) {
    throw new Error(`hadolint failed on ${f.name}: ${e.message}`, { cause: e })
  }
  const theirs = theirsAll.filter((x) => x.code.startsWith('DL'))
  const parseError = theirs.some((x) => x.code === 'DL1000')
  if (parseError) unparsable.push(f.name)
  for (const x of all.filter((y) => y.rule.startsWith('MLD')))
    mld.push(`${f.name}:${x.line} ${x.rule} ${x.message}`)

  if (shellcheck && !parseError) {
    const ourSc = new Set(
      all.filter((x) => x.rule.startsWith('SC')).map((x) => key(x.rule, x.line))
    )
    sc.ours += ourSc.size
    for (const x of theirsAll.filter((y) => y.code.startsWith('SC'))) {
      sc.hadolint++
      if (ourSc.has(key(x.code, x.line))) sc.alsoOurs++
      else
        differences.push({
          file: f.name,
          rule: x.code,
          line: x.line,
          side: 'hadolint-only',
          source: f.source,
          hadolintParseError: false
        })
    }
  }

  const ourKeys = new Set(ours.map((x) => key(x.rule, x.line)))
  const theirKeys = new Set(theirs.map((x) => key(x.code, x.line)))
  const diff = (rule, line, side) =>
    differences.push({
      file: f.name,
      rule,
      line,
      side,
      source: f.source,
      hadolintParseError: parseError
    })
  for (const k of ourKeys) {
    const [rule, line] = k.split('@')
    if (theirKeys.has(k)) {
      if (!parseError) bump(rule, 'identical')
    } else {
      if (!parseError) bump(rule, 'oursOnly')
      diff(rule, Number(line), 'ours-only')
    }
  }
  for (const k of theirKeys) {
    const [rule, line] = k.split('@')
    if (ourKeys.has(k)) continue
    if (!parseError) bump(rule, 'hadolintOnly')
    diff(rule, Number(line), 'hadolint-only')
  }
}

let unexplained = 0
const lines = []
for (const d of differences) {
  const reason = EXPLAINED.find((e) => e.test(d))
  if (!reason) unexplained++
  lines.push(
    `${d.side.padEnd(13)} ${d.file}:${d.line} ${d.rule}  ${reason ? reason.why : 'UNEXPLAINED'}`
  )
}

let identical = 0
let union = 0
for (const r of perRule.values()) {
  identical += r.identical
  union += r.identical + r.oursOnly + r.hadolintOnly
}
const pct = (a, b) => (b === 0 ? '100.0' : ((100 * a) / b).toFixed(1))
const summary = {
  files: files.length,
  hadolintUnparsable: unparsable.length,
  identical,
  union,
  agreement: Number(pct(identical, union)),
  perRule: Object.fromEntries([...perRule.entries()].sort()),
  shellcheck: shellcheck ? sc : 'not available',
  differences: differences.length,
  unexplained
}

if (json) {
  console.log(JSON.stringify(summary))
} else {
  console.log('rule     identical  ours-only  hadolint-only  agreement')
  for (const [rule, r] of [...perRule.entries()].sort()) {
    const u = r.identical + r.oursOnly + r.hadolintOnly
    console.log(
      `${rule.padEnd(8)} ${String(r.identical).padStart(9)}  ${String(r.oursOnly).padStart(9)}  ${String(r.hadolintOnly).padStart(13)}  ${pct(r.identical, u).padStart(8)} %`
    )
  }
  if (lines.length) console.log(`\n${lines.join('\n')}`)
  if (listMld) console.log(`\nMLD findings (${mld.length}):\n${mld.join('\n')}`)
  console.log(
    `\n${files.length} files (${unparsable.length} hadolint cannot parse, left out): ` +
      `${identical} of ${union} DL findings identical in rule and line (${summary.agreement} %)` +
      (shellcheck
        ? `; SC: ${sc.alsoOurs} of hadolint's ${sc.hadolint} also reported by us (we report ${sc.ours})`
        : '; SC not compared (no shellcheck)') +
      `; ${differences.length} difference(s), ${unexplained} unexplained`
  )
}
process.exit(unexplained > 0 ? 1 : 0)
