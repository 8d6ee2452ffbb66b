import { UserError } from '../errors.js'
import { csvFields, inputLines, keyValue } from './parse.js'

/** `highest`: as `auto`, and the push moves `latest` only when this version is the highest released. */
export type LatestMode = 'auto' | 'true' | 'false' | 'highest'

export interface Flavor {
  latest: LatestMode
  prefix: string
  /** Whether `prefix` is also put on the `latest` tag (`prefix=...,onlatest=true`). */
  prefixLatest: boolean
  suffix: string
  suffixLatest: boolean
}

/**
 * Parses the `flavor` input (metadata-action syntax): `latest=auto|true|false`, `prefix=`, `suffix=`,
 * each of the latter optionally followed by `onlatest=true|false` in the same line.
 */
export function parseFlavor(input: string): Flavor {
  const flavor: Flavor = {
    latest: 'auto',
    prefix: '',
    prefixLatest: false,
    suffix: '',
    suffixLatest: false
  }
  for (const line of inputLines(input)) {
    // `onlatest` applies to the prefix or suffix written before it on the same line.
    let onLatestFor: 'prefix' | 'suffix' | undefined
    for (const field of csvFields(line, 'flavor')) {
      const { key, value } = keyValue(field)
      switch (key) {
        case undefined:
          throw new UserError(
            `flavor: "${field}" in "${line}" is not key=value. Use latest=auto|true|false, prefix=..., suffix=... (onlatest=true|false).`
          )
        case 'latest':
          if (value !== 'auto' && value !== 'true' && value !== 'false' && value !== 'highest') {
            throw new UserError(
              `flavor: latest must be auto, true, false or highest in "${line}" (got "${value}").`
            )
          }
          flavor.latest = value
          break
        case 'prefix':
          flavor.prefix = value
          onLatestFor = 'prefix'
          break
        case 'suffix':
          flavor.suffix = value
          onLatestFor = 'suffix'
          break
        case 'onlatest':
          if (value !== 'true' && value !== 'false') {
            throw new UserError(
              `flavor: onlatest must be true or false in "${line}" (got "${value}").`
            )
          }
          if (onLatestFor === 'prefix') flavor.prefixLatest = value === 'true'
          else if (onLatestFor === 'suffix') flavor.suffixLatest = value === 'true'
          else
            throw new UserError(
              `flavor: onlatest must follow prefix= or suffix= on the same line in "${line}".`
            )
          break
        default:
          throw new UserError(
            `flavor: unknown entry "${key}" in "${line}". Known entries: latest, prefix, suffix, onlatest.`
          )
      }
    }
  }
  return flavor
}
