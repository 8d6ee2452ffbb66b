import { finalStage } from '../facts/lineage.js'
import { pythonSources, isPythonCommand } from '../model.js'
import { callsAny, modelDownloadTools } from '../facts/python.js'
import { effectiveCommand } from '../facts/command.js'
import type { Rule } from '../rule.js'

export const MLD022: Rule = {
  code: 'MLD022',
  severity: 'warning',
  message: 'The container downloads a model when it starts',
  name: 'model-download-at-container-start',
  check: ({ df }) => {
    const stage = finalStage(df)
    const eff = stage && effectiveCommand(stage)
    if (!eff) return []
    const cmds = eff.commands
    let what: string | undefined = modelDownloadTools(cmds)[0]?.tool
    what ??= cmds.some(
      (c) =>
        isPythonCommand(c.name) &&
        pythonSources(c).some((code) => callsAny(code, ['snapshot_download(', '.from_pretrained(']))
    )
      ? 'a Python model download'
      : undefined
    what ??= cmds.find((c) => c.base === 'git' && c.args[0]?.value === 'clone')
      ? 'git clone'
      : undefined
    what ??= cmds.find(
      (c) =>
        ['wget', 'curl'].includes(c.base) &&
        c.args.some((a) => /^(https?|s3|gs):\/\//.test(a.value))
    )?.name
    if (!what) return []
    return [
      {
        line: eff.instr.line,
        message: `The container downloads at start (${what}) before serving: slow cold starts, failures when the hub is unreachable or rate-limited, and possibly a different model per replica. Download at build time (pinned) or mount the model`
      }
    ]
  }
}
