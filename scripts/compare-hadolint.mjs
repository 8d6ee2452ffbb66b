// Side by side: our DL findings and the real hadolint 2.15.1 on the benchmark corpus.
// Prints every difference with its explanation; exits 1 if one is unexplained.
// Usage: node scripts/compare-hadolint.mjs [--json]
import { execFileSync } from 'node:child_process'
import { corpus, findHadolint, loadLinter } from './bench-lint-compile.mjs'

/**
 * Known, deliberate differences, as predicates over a difference:
 * { file, rule, line, side: 'ours-only' | 'hadolint-only', source }.
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

const hadolint = await findHadolint()
const { lintSource } = await loadLinter()
const files = corpus()
const differences = []
let agree = 0
for (const f of files) {
  const ours = lintSource(f.source, { file: f.name }).filter((x) => x.rule.startsWith('DL'))
  let theirs
  let parseError
  try {
    const out = execFileSync(hadolint, ['--no-fail', '--no-color', '-f', 'json', f.path], {
      encoding: 'utf8'
    })
    theirs = JSON.parse(out).filter((x) => x.code.startsWith('DL'))
    parseError = theirs.some((x) => x.code === 'DL1000')
  } catch (e) {
    throw new Error(`hadolint failed on ${f.name}: ${e.message}`, { cause: e })
  }
  const key = (rule, line) => `${rule}@${line}`
  const ourKeys = new Set(ours.map((x) => key(x.rule, x.line)))
  const theirKeys = new Set(theirs.map((x) => key(x.code, x.line)))
  for (const x of ours) {
    if (theirKeys.has(key(x.rule, x.line))) agree++
    else
      differences.push({
        file: f.name,
        rule: x.rule,
        line: x.line,
        side: 'ours-only',
        source: f.source,
        hadolintParseError: parseError
      })
  }
  for (const x of theirs) {
    if (!ourKeys.has(key(x.code, x.line)))
      differences.push({
        file: f.name,
        rule: x.code,
        line: x.line,
        side: 'hadolint-only',
        source: f.source,
        hadolintParseError: parseError
      })
  }
}

let unexplained = 0
for (const d of differences) {
  const reason = EXPLAINED.find((e) => e.test(d))
  if (!reason) unexplained++
  if (!process.argv.includes('--json')) {
    console.log(
      `${d.side.padEnd(13)} ${d.file}:${d.line} ${d.rule}  ${reason ? reason.why : 'UNEXPLAINED'}`
    )
  }
}
const summary = {
  files: files.length,
  agreeing: agree,
  differences: differences.length,
  unexplained
}
console.log(
  process.argv.includes('--json')
    ? JSON.stringify(summary)
    : `\n${files.length} files: ${agree} DL findings identical (rule and line), ${differences.length} difference(s), ${unexplained} unexplained`
)
process.exit(unexplained > 0 ? 1 : 0)
