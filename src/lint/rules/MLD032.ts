import { runInfo } from '../model.js'
import { pipInstallArgs } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'

/**
 * `pip install torch>=2.1` unquoted: the shell reads `>=2.1` as a redirect, so pip installs an
 * unbounded `torch` and the build writes a file named `=2.1`. `<` reads a file and usually fails.
 */
export const MLD032: Rule = {
  code: 'MLD032',
  severity: 'error',
  message: 'A pip version specifier is unquoted and the shell reads it as a redirect',
  name: 'pip-specifier-redirected',
  onbuild: true,
  check: ({ df }) => {
    const out: Hit[] = []
    for (const instr of df.instructions) {
      if (instr.keyword !== 'RUN') continue
      for (const cmd of runInfo(instr).commands) {
        if (!pipInstallArgs(cmd)) continue
        const r = cmd.redirects.find(
          (x) =>
            (x.op === '>' || x.op === '<' || x.op === '>>') &&
            x.fd === undefined &&
            x.target !== undefined &&
            /^[=~]?=?\s*[\d*]/.test(x.target.value)
        )
        if (!r) continue
        const spec = `${r.op}${r.target!.value}`
        out.push({
          line: instr.line,
          message: `\`${spec}\` after a package name is a shell redirect, not a version bound: pip installs the package unbounded${r.op === '<' ? ' (or the RUN fails reading a file)' : ` and a file named \`${r.target!.value}\` is written`}. Quote the requirement: \`pip install "pkg${spec}"\``
        })
      }
    }
    return out
  }
}
