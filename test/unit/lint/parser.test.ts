import { describe, expect, it } from '@jest/globals'
import { DockerfileParser } from 'dockerfile-ast'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDockerfile } from '../../../src/lint/dockerfile.js'
import { buildModel, runInfo } from '../../../src/lint/model.js'
import { parseShell } from '../../../src/lint/shell.js'
import { fixturesDir, repoRoot } from './helpers.js'

const cmds = (script: string) =>
  parseShell(script).commands.map((c) => [c.name, ...c.args.map((a) => a.value)].join(' '))

describe('Dockerfile lexer', () => {
  it('joins continuations like BuildKit, dropping comment and empty lines inside', () => {
    const df = parseDockerfile(
      'FROM a:1\nRUN apt-get update \\\n  # comment\n\n  && apt-get install -y\\\ncurl\n'
    )
    expect(df.instructions[1]).toMatchObject({
      keyword: 'RUN',
      line: 2,
      endLine: 6,
      args: 'apt-get update   && apt-get install -ycurl'
    })
    expect(df.comments.map((c) => c.line)).toEqual([3])
  })

  it('reads heredocs, including <<- and quoted names, and ends the instruction after the terminator', () => {
    const df = parseDockerfile('FROM a:1\nRUN <<-"EOF" bash\n\techo $HOME\n\tEOF\nCOPY x y\n')
    expect(df.error).toBeUndefined()
    expect(df.instructions[1].heredocs).toEqual([
      { name: 'EOF', chomp: true, quoted: true, content: 'echo $HOME\n' }
    ])
    expect(df.instructions[2]).toMatchObject({ keyword: 'COPY', line: 5 })
  })

  it('honours the escape directive, a BOM and CRLF line ends', () => {
    const df = parseDockerfile('\uFEFF# escape=`\r\nFROM a:1\r\nRUN echo a `\r\n  b\r\n')
    expect(df.escape).toBe('`')
    expect(df.instructions[1].args).toBe('echo a   b')
  })

  it('splits builder flags off and keeps the raw value', () => {
    const df = parseDockerfile(
      'FROM --platform="$BUILDPLATFORM" a:1\nRUN --mount=type=cache,target=/root/.cache/pip --network=none pip install x\n'
    )
    expect(df.instructions[0].flags).toEqual([
      { name: 'platform', value: '$BUILDPLATFORM', raw: '"$BUILDPLATFORM"' }
    ])
    expect(df.instructions[1].args).toBe('pip install x')
    expect(df.instructions[1].flags.map((f) => f.name)).toEqual(['mount', 'network'])
  })

  it('reports unknown instructions and unterminated heredocs as parse errors', () => {
    expect(parseDockerfile('FROM a:1\nFOO bar\n').error).toMatchObject({
      line: 2,
      message: 'unknown instruction: FOO'
    })
    expect(parseDockerfile('FROM a:1\nRUN <<EOF\necho\n').error?.message).toMatch(
      /unterminated heredoc/
    )
  })

  it('finds the same instructions as dockerfile-ast on the corpus and the fixtures', () => {
    const dirs = [join(repoRoot, 'bench', 'corpus')]
    const files = dirs.flatMap((d) => readdirSync(d).map((n) => join(d, n)))
    for (const s of readdirSync(join(fixturesDir, 'seeds')))
      files.push(join(fixturesDir, 'seeds', s, 'Dockerfile'))
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      const ours = parseDockerfile(text).instructions.map((i) => `${i.keyword}@${i.line}`)
      const theirs = DockerfileParser.parse(text)
        .getInstructions()
        .map((i) => `${i.getKeyword()}@${i.getRange().start.line + 1}`)
      expect({ file, instructions: ours }).toEqual({ file, instructions: theirs })
    }
  })
})

describe('shell parser', () => {
  it('finds commands in lists, pipelines, substitutions, subshells and compound commands', () => {
    expect(cmds('a && b || c; d | e & f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(cmds('echo "$(which python)" `date`')).toEqual([
      'echo $(which python) `date`',
      'which python',
      'date'
    ])
    expect(cmds('if [ -f x ]; then pip install y; fi; for i in 1 2; do echo $i; done')).toEqual([
      '[ -f x ]',
      'pip install y',
      'echo $i'
    ])
    expect(cmds('case "$A" in a|b) echo yes;; *) echo no;; esac')).toEqual(['echo yes', 'echo no'])
    expect(cmds('(cd /x && make) && { rm -rf y; }')).toEqual(['cd /x', 'make', 'rm -rf y'])
  })

  it('removes quotes, keeps prefix assignments and treats unquoted > as a redirect', () => {
    const [cmd] = parseShell(
      'PIP_NO_CACHE_DIR=1 pip install "numpy>=1.26" pandas>=2 2>/dev/null'
    ).commands
    expect(cmd.assignments).toEqual([{ name: 'PIP_NO_CACHE_DIR', value: '1' }])
    expect(cmd.args.map((a) => a.value)).toEqual(['install', 'numpy>=1.26', 'pandas'])
    expect(cmd.redirects.map((r) => [r.op, r.fd, r.target?.value])).toEqual([
      ['>', undefined, '=2'],
      ['>', '2', '/dev/null']
    ])
  })

  it('knows pipes from || and comments from #', () => {
    expect(parseShell('a || b').hasPipes).toBe(false)
    expect(parseShell('a | b').hasPipes).toBe(true)
    expect(parseShell('echo $(curl x | sh)').hasPipes).toBe(true)
    expect(cmds('a # b && c')).toEqual(['a'])
  })

  it('reads shell heredocs as data, and lints `bash <<EOF` bodies as scripts', () => {
    expect(cmds('cat <<EOF > /x\napt-get install foo\nEOF\necho done')).toEqual([
      'cat',
      'echo done'
    ])
    const df = buildModel('FROM a:1\nRUN bash <<EOF\napt-get install foo\nEOF\n')
    expect(runInfo(df.instructions[1]).commands.map((c) => c.name)).toEqual(['bash', 'apt-get'])
  })

  it('marks background jobs, also for groups', () => {
    const cs = parseShell('redis-server & (worker; x) & python app.py').commands
    expect(cs.map((c) => [c.name, c.background])).toEqual([
      ['redis-server', true],
      ['worker', true],
      ['x', true],
      ['python', false]
    ])
  })

  it('never throws on unbalanced input', () => {
    for (const s of [
      'echo "unterminated',
      "it's",
      'a $(b',
      'x `y',
      'case x in',
      'if then fi fi',
      ')))',
      '${',
      '<<',
      '| |',
      '$((1+'
    ]) {
      expect(() => parseShell(s)).not.toThrow()
    }
  })
})
