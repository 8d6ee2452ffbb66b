import { finalStage, lineageInstructions, type Instr } from '../model.js'
import { installsIn } from '../ml.js'
import type { Hit, Rule } from '../rule.js'

const TOOLCHAIN = new Set([
  'gcc',
  'g++',
  'cc',
  'clang',
  'make',
  'cmake',
  'build-essential',
  'gfortran',
  'musl-dev'
])

export function isToolchainPackage(pkg: string): boolean {
  return (
    TOOLCHAIN.has(pkg) ||
    /^gcc-\d+$|^g\+\+-\d+$/.test(pkg) ||
    pkg.endsWith('-dev') ||
    pkg.endsWith('-devel')
  )
}

export const MLD011: Rule = {
  code: 'MLD011',
  severity: 'warning',
  message: 'Compilers or -dev packages stay installed in the final image',
  name: 'build-toolchain-in-final-stage',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    if (!stage) return []
    const byRun = new Map<Instr, string[]>()
    for (const [pkg, instr] of installsIn(lineageInstructions(stage), context).os) {
      if (isToolchainPackage(pkg)) byRun.set(instr, [...(byRun.get(instr) ?? []), pkg])
    }
    const out: Hit[] = []
    for (const [instr, pkgs] of byRun) {
      out.push({
        line: instr.line,
        message: `The final image keeps build tools (${pkgs.join(', ')}): build wheels in a builder stage, or remove them in the same RUN (\`apt-get purge -y --auto-remove ...\`, \`apk del .build-deps\`)`
      })
    }
    return out.sort((a, b) => a.line - b.line)
  }
}
