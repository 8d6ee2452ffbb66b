/**
 * The action's own default for the `tags` input. It is semver-oriented because the action exists to
 * release images: a `v1.2.3` tag gives `1.2.3`, `1.2`, `1` (and `latest`), a branch push gives the
 * branch name, a pull request `pr-N`, and every run `sha-<short>`. action.yml carries the same text
 * (a test keeps them equal).
 */
export const DEFAULT_TAGS = [
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}',
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=sha'
].join('\n')

/**
 * docker/metadata-action's rule set when its `tags` input is empty. An explicitly empty `tags`
 * input means this set, so that a workflow that relied on the reference's default keeps its tags.
 */
export const REFERENCE_DEFAULT_TAGS = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr'
]

/** Default priority of each tag type (a higher priority sorts first and decides `version`). */
export const DEFAULT_PRIORITIES = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100
} as const

export type TagType = keyof typeof DEFAULT_PRIORITIES

export const TAG_TYPES = Object.keys(DEFAULT_PRIORITIES) as TagType[]

/** Docker's tag grammar (distribution/reference): 128 characters at most. */
export const DOCKER_TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

export const DEFAULT_SHORT_SHA_LENGTH = 7
