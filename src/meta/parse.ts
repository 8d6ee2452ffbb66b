import { parse } from 'csv-parse/sync'
import { UserError } from '../errors.js'

/**
 * Splits a multi-line action input into entries: one per line, trimmed, blank lines and lines that
 * start with `#` dropped. A `#` later in a line is kept (a label value or a regex may contain one).
 */
export function inputLines(input: string | undefined): string[] {
  if (!input) return []
  return input
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
}

/**
 * Splits one entry into its CSV fields, so that a field containing a comma can be quoted
 * (`type=match,"pattern=^v(\d+),(\d+)$",group=1`).
 */
export function csvFields(line: string, inputName: string): string[] {
  let records: string[][]
  try {
    records = parse(line, { relaxColumnCount: true, skipEmptyLines: true }) as string[][] // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- csv-parse types the no-columns overload loosely
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e)
    throw new UserError(
      `${inputName}: cannot read "${line}" as comma-separated fields (${reason}). ` +
        'Quote a whole field ("key=value, with commas") when it contains a comma or a quote.'
    )
  }
  return (records[0] ?? []).map((f) => String(f))
}

export interface Field {
  /** Lowercased key, or undefined for a bare value without `=`. */
  key?: string
  value: string
}

/** `key=value` split at the first `=` (the value may contain more), both sides trimmed. */
export function keyValue(field: string): Field {
  const i = field.indexOf('=')
  if (i <= 0) return { value: field.trim() }
  return { key: field.slice(0, i).trim().toLowerCase(), value: field.slice(i + 1).trim() }
}
