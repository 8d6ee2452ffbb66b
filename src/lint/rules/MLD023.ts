import { copyInfo, instrFlag, runInfo } from '../model.js'
import { hasMlExtension } from '../facts/context.js'
import type { Hit, Rule } from '../rule.js'
import { type SimpleCommand } from '../shell.js'

const ARCHIVES = ['.tar', '.tar.gz', '.tgz', '.zip']

export function isArtifactUrl(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false
  const path = url.split(/[?#]/)[0].toLowerCase()
  return hasMlExtension(path) || ARCHIVES.some((a) => path.endsWith(a))
}

function verifies(cmd: SimpleCommand): boolean {
  const name = cmd.base
  const v = cmd.args.map((a) => a.value)
  if (
    (name === 'sha256sum' || name === 'sha512sum') &&
    v.some((a) => a === '-c' || a === '--check' || /^-[a-z]*c[a-z]*$/.test(a))
  )
    return true
  return name === 'shasum' && v.includes('-a') && v.some((a) => a === '-c' || a === '--check')
}

const INTERPRETERS = /^(sh|bash|ash|dash|zsh|python[\d.]*)$/

/** `curl URL | sh`, `wget -O- URL | bash`, `sh -c "$(curl URL)"`, `bash <(curl URL)`: a description, or undefined. */
export function pipedInstaller(commands: SimpleCommand[]): string | undefined {
  for (let k = 0; k < commands.length; k++) {
    const c = commands[k]
    if (!['curl', 'wget'].includes(c.base) || !c.args.some((a) => /^https?:\/\//.test(a.value)))
      continue
    const next = commands[k + 1]
    if (c.next === '|' && next && INTERPRETERS.test(next.base))
      return `\`${c.base} ... | ${next.base}\``
  }
  const wrapped = commands.find(
    (c) =>
      INTERPRETERS.test(c.base) && c.args.some((a) => /(\$\(|<\(|`)\s*(curl|wget)\s/.test(a.raw))
  )
  return wrapped ? `\`${wrapped.base}\` with a downloaded script` : undefined
}

export const MLD023: Rule = {
  code: 'MLD023',
  severity: 'warning',
  message:
    'A remote model file, archive or installer script is downloaded without checksum verification',
  name: 'remote-artifact-without-checksum',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const i of df.instructions) {
      if (i.keyword === 'ADD' && instrFlag(i, 'checksum') === undefined) {
        const url = copyInfo(i).sources.find(isArtifactUrl)
        if (url)
          out.push({
            line: i.line,
            message: `ADD downloads ${url} without \`--checksum=sha256:...\`: a swapped checkpoint or archive goes unnoticed (pickled/PyTorch files execute code on load)`
          })
      } else if (i.keyword === 'RUN') {
        const { commands } = runInfo(i)
        const fetch = commands.find(
          (c) => ['wget', 'curl'].includes(c.base) && c.args.some((a) => isArtifactUrl(a.value))
        )
        const piped = pipedInstaller(commands)
        if (piped && !commands.some(verifies)) {
          out.push({
            line: i.line,
            message: `${piped} runs a remote installer script unverified: whatever the server sends at build time runs as root in the image. Download it to a file, check its sha256 (\`sha256sum -c\`), then run it`
          })
        } else if (fetch && !commands.some(verifies)) {
          const url = fetch.args.find((a) => isArtifactUrl(a.value))!.value
          out.push({
            line: i.line,
            message: `${fetch.base} downloads ${url} and the RUN does not verify it (\`echo "<sha256>  file" | sha256sum -c -\`): a swapped file goes unnoticed`
          })
        }
      }
    }
    return out
  }
}
