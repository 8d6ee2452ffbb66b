/** Instruction-level facts the DL rules share (hadolint's helpers). */

const ARCHIVE_EXTENSIONS = [
  '.tar',
  '.Z',
  '.bz2',
  '.gz',
  '.lz',
  '.lzma',
  '.tZ',
  '.tb2',
  '.tbz',
  '.tbz2',
  '.tgz',
  '.tlz',
  '.tpz',
  '.txz',
  '.xz'
]
export function isArchive(path: string): boolean {
  return ARCHIVE_EXTENSIONS.some((e) => path.endsWith(e))
}

/** WORKDIR must be absolute: `/`, a `$VAR`, or a Windows drive (`C:\`, `C:/`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('$') || /^[A-Za-z]:[\\/]/.test(path)
}

export function repeated(keyword: string) {
  return ({ df }: { df: import('../model.js').Dockerfile }): { line: number }[] => {
    const out: { line: number }[] = []
    let seen = false
    for (const i of df.instructions) {
      if (i.keyword === 'FROM') seen = false
      else if (i.keyword === keyword) {
        if (seen) out.push({ line: i.line })
        seen = true
      }
    }
    return out
  }
}
