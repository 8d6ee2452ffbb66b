/**
 * Properties over random input: whatever the branch, tag, rules and image names, every emitted tag
 * satisfies Docker's grammar, every full reference is image:tag with a valid image, and the result
 * depends only on the inputs (same inputs, same output).
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { isUserError } from '../../../src/errors.js'
import {
  computeMeta,
  DOCKER_TAG_RE,
  normalizeImageName,
  sanitizeTag,
  type GitContext
} from '../../../src/meta/index.js'

const NOW = new Date('2024-05-06T07:08:09Z')
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

// Characters git allows in ref names, plus the ones tags care about, plus non-ASCII.
const refChar = fc.constantFrom(...'abcXYZ019._-/+@#&=!%ü語 '.split(''))
const refName = fc
  .array(refChar, { minLength: 1, maxLength: 200 })
  .map((cs) => cs.join(''))
  .filter(
    (s) =>
      !s.startsWith('/') && !s.endsWith('/') && !s.includes('//') && s.trim() === s && s.length > 0
  )

const versionish = fc.oneof(
  fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).map(([a, b, c]) => `v${a}.${b}.${c}`),
  fc
    .tuple(
      fc.nat(9),
      fc.nat(9),
      fc.constantFrom('-rc.1', 'rc1', '.dev3', '-beta+exp.sha.5114f85', '.post2', '')
    )
    .map(([a, b, s]) => `${a}.${b}${s}`),
  refName
)

const pathComponent = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEF0123456789'.split('')), {
    minLength: 1,
    maxLength: 12
  })
  .map((cs) => cs.join(''))
const image = fc
  .tuple(
    fc.option(
      fc.constantFrom(
        'ghcr.io',
        'Registry.Example.com',
        '127.0.0.1:5000',
        'localhost:5000',
        'docker.io'
      ),
      { nil: undefined }
    ),
    fc.array(pathComponent, { minLength: 1, maxLength: 3 })
  )
  .map(([host, parts]) => [host, ...parts].filter(Boolean).join('/'))

const prefixText = fc.constantFrom(
  '',
  '-',
  '.',
  'ml-',
  'ü',
  'py3.11-',
  '{{branch}}-',
  '{{tag}}',
  '--x',
  '{{sha}}.'
)

const ruleLine = fc.oneof(
  fc.constantFrom(
    'type=semver,pattern={{version}}',
    'type=semver,pattern={{major}}.{{minor}}',
    'type=semver,pattern={{major}}',
    'type=semver,pattern={{raw}}',
    'type=pep440,pattern={{version}}',
    'type=pep440,pattern={{major}}.{{minor}}',
    'type=match,pattern=v(\\d+),group=1',
    'type=ref,event=branch',
    'type=ref,event=tag',
    'type=ref,event=pr',
    'type=edge',
    'type=sha',
    'type=sha,format=long',
    'type=schedule',
    "type=schedule,pattern={{date 'YYYYMMDD'}}",
    'type=raw,value={{branch}}',
    'type=raw,value={{tag}}-{{sha}}',
    'type=raw,value=latest,enable={{is_default_branch}}',
    'type=raw,value={{base_ref}}'
  ),
  fc.tuple(prefixText, prefixText).map(([p, s]) => `type=ref,event=branch,prefix=${p},suffix=${s}`),
  fc
    .tuple(prefixText, refName)
    .map(([p, v]) => `type=raw,value=${v.replace(/[",]/g, '')},prefix=${p}`)
)

const context = fc
  .tuple(
    fc.constantFrom(
      'push',
      'pull_request',
      'pull_request_target',
      'schedule',
      'workflow_dispatch',
      'release',
      'create',
      'merge_group'
    ),
    fc.oneof(
      refName.map((b) => `refs/heads/${b}`),
      versionish.map((t) => `refs/tags/${t}`),
      fc.nat(99999).map((n) => `refs/pull/${n}/merge`)
    ),
    fc.option(refName, { nil: undefined })
  )
  .map(([eventName, ref, base]): GitContext => ({
    eventName,
    ref,
    sha: SHA,
    payload: {
      number: 7,
      ...(base !== undefined
        ? { base_ref: `refs/heads/${base}`, pull_request: { base: { ref: base } } }
        : {}),
      repository: { name: 'app', default_branch: 'main', html_url: 'https://github.com/o/app' }
    }
  }))

const flavor = fc
  .tuple(fc.constantFrom('auto', 'true', 'false'), prefixText, prefixText, fc.boolean())
  .map(
    ([latest, prefix, suffix, on]) =>
      `latest=${latest}\nprefix=${prefix},onlatest=${on}\nsuffix=${suffix},onlatest=${!on}`
  )

describe('tag properties', () => {
  it('every emitted tag matches Docker grammar, and the output is deterministic', () => {
    fc.assert(
      fc.property(
        context,
        fc.array(ruleLine, { minLength: 0, maxLength: 6 }),
        fc.array(image, { minLength: 0, maxLength: 3 }),
        flavor,
        (ctx, rules, images, flav) => {
          const inputs = {
            images: images.join('\n'),
            tags: rules.join('\n'),
            flavor: flav,
            labels: '',
            annotations: ''
          }
          const first = computeMeta(inputs, ctx, {}, NOW)
          const second = computeMeta(inputs, structuredClone(ctx), {}, NOW)
          expect(second).toEqual(first)
          for (const t of first.tagNames) expect(t).toMatch(DOCKER_TAG_RE)
          expect(new Set(first.tagNames).size).toBe(first.tagNames.length)
          const expectedImages = [...new Set(images.map((i) => i.toLowerCase()))]
          expect(first.tags).toEqual(
            expectedImages.length > 0
              ? expectedImages.flatMap((i) => first.tagNames.map((t) => `${i}:${t}`))
              : first.tagNames
          )
          expect(first.version).toBe(first.tagNames[0] ?? '')
        }
      ),
      { numRuns: 600 }
    )
  })

  it('sanitizeTag returns a valid tag or nothing, keeps valid tags unchanged and is stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        const a = sanitizeTag(s)
        expect(sanitizeTag(s)).toEqual(a)
        if (a.tag !== undefined) {
          expect(a.tag).toMatch(DOCKER_TAG_RE)
          expect(sanitizeTag(a.tag)).toEqual({ tag: a.tag })
        }
        if (DOCKER_TAG_RE.test(s)) expect(a).toEqual({ tag: s })
      }),
      { numRuns: 1000 }
    )
  })

  it('two different over-long tags never shorten to the same tag', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 129, maxLength: 300 })
          .map((s) => `a${s.replace(/[^a-z0-9]/gi, 'x')}`),
        fc.string({ minLength: 1, maxLength: 5 }).map((s) => s.replace(/[^a-z0-9]/gi, 'y')),
        (long, extra) => {
          const a = sanitizeTag(long).tag!
          const b = sanitizeTag(long + extra).tag!
          expect(a).toHaveLength(128)
          expect(a).not.toBe(b)
        }
      )
    )
  })

  it('image names are either normalized to a valid name or refused with a UserError', () => {
    const nameRe =
      /^(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])(?:\.(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/
    fc.assert(
      fc.property(
        fc.oneof(
          image,
          fc.string({ maxLength: 40 }),
          fc
            .array(fc.constantFrom(...'aZ0._-/:@ '.split('')), { maxLength: 30 })
            .map((c) => c.join(''))
        ),
        (raw) => {
          try {
            const name = normalizeImageName(raw)
            expect(name).toMatch(nameRe)
          } catch (e) {
            expect(isUserError(e)).toBe(true)
          }
        }
      ),
      { numRuns: 1000 }
    )
  })
})
