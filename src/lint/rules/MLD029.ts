import { runInfo } from '../model.js'
import { isOfficialPython, rootImage } from '../facts/images.js'
import { packageArgs } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'

const APT_PY =
  /^(python3|python3-pip|python3-venv|python3-dev|python-is-python3|python3-[a-z0-9.+-]+|python3\.\d+(-[a-z]+)?)(=.*)?$/

export const MLD029: Rule = {
  code: 'MLD029',
  severity: 'warning',
  message: 'An OS Python package is installed on an official python image (second interpreter)',
  name: 'second-python-from-apt',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const stage of df.stages) {
      if (!isOfficialPython(rootImage(stage))) continue
      for (const instr of stage.instructions.filter((i) => i.keyword === 'RUN')) {
        const pkgs: string[] = []
        for (const cmd of runInfo(instr).commands) {
          const name = cmd.base
          const v = cmd.args.map((a) => a.value)
          if ((name === 'apt-get' || name === 'apt') && v.includes('install'))
            pkgs.push(...packageArgs(cmd, v.indexOf('install')).filter((p) => APT_PY.test(p)))
          if (name === 'apk' && v.includes('add'))
            pkgs.push(
              ...packageArgs(cmd, v.indexOf('add')).filter((p) =>
                /^(python3|py3-.+)([=~<>].*)?$/.test(p)
              )
            )
        }
        if (pkgs.length > 0) {
          out.push({
            line: instr.line,
            message: `The official python image already has its interpreter in /usr/local; installing ${[...new Set(pkgs)].join(', ')} adds a second Python in /usr/bin whose modules /usr/local/bin/python cannot import. Install the pip package instead (e.g. opencv-python-headless)`
          })
        }
      }
    }
    return out
  }
}
