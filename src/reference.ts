/**
 * Image references, in one place for every stage: `[registry/]path[:tag][@digest]`, following the
 * grammar of distribution/reference (the library Docker itself uses).
 *
 * Two entry points:
 * - `parseReference` validates (lower-case path components, tag and digest syntax, host[:port])
 *   and throws a `UserError` naming what to change; for references a user gives us to push to.
 * - `splitReference` never throws and does not validate; for Dockerfile text, where a reference
 *   may still hold `${VARIABLES}`, and for tags already checked elsewhere.
 */
import { UserError } from './errors.js'

/** The canonical name of Docker Hub, and every other name it answers to. */
export const DOCKER_HUB = 'docker.io'
export const DOCKER_HUB_ALIASES: readonly string[] = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com'
]
/** Single-component Docker Hub names live under `library/`. */
export const OFFICIAL_NAMESPACE = 'library'

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`
)
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG_RE = /^[\w][\w.-]{0,127}$/
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/
const MAX_NAME_LENGTH = 255

/** A reference split into its parts, exactly as written. */
export interface ReferenceParts {
  /** The registry host[:port] as written, undefined when the reference names none (Docker Hub). */
  registry: string | undefined
  /** The repository path without registry, tag or digest, as written (`python`, `org/app`). */
  path: string
  tag: string | undefined
  digest: string | undefined
}

/** A validated reference. */
export interface Reference extends ReferenceParts {
  /** The registry host, `docker.io` for every Docker Hub alias and for no registry at all. */
  domain: string
  /** The fully qualified repository: `docker.io/library/python`, `localhost:5000/org/app`. */
  repository: string
}

/** Docker's domain test: a first component with `.` or `:`, or `localhost`, followed by `/`. */
function splitDomain(name: string): { registry: string | undefined; path: string } {
  const slash = name.indexOf('/')
  if (slash < 0) return { registry: undefined, path: name }
  const first = name.slice(0, slash)
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return { registry: first, path: name.slice(slash + 1) }
  }
  return { registry: undefined, path: name }
}

/** Splits a reference into registry, path, tag and digest without validating any of them. */
export function splitReference(ref: string): ReferenceParts {
  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  const { registry, path: named } = splitDomain(rest)
  let path = named
  let tag: string | undefined
  const colon = path.lastIndexOf(':')
  if (colon >= 0 && !path.slice(colon).includes('/')) {
    tag = path.slice(colon + 1)
    path = path.slice(0, colon)
  }
  return { registry, path, tag, digest }
}

/** Whether a registry (host, host:port, or a URL of one) is Docker Hub. */
export function isDockerHub(registry: string | undefined): boolean {
  return registry === undefined || DOCKER_HUB_ALIASES.includes(registryHost(registry))
}

/** `https://localhost:5000/` -> `localhost:5000`: what a registry input or login target names, as a host. */
export function registryHost(registry: string): string {
  return registry
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
}

/** The canonical host of a registry: Docker Hub aliases become `docker.io`. */
export function canonicalRegistry(registry: string | undefined): string {
  return isDockerHub(registry) ? DOCKER_HUB : registryHost(registry!)
}

/** The registry an image lives in: `docker.io` for Docker Hub names in any spelling. */
export function registryOf(image: string): string {
  return canonicalRegistry(splitReference(image).registry)
}

/** The name without tag and digest, as written: `127.0.0.1:5000/a/b:1@sha256:..` -> `127.0.0.1:5000/a/b`. */
export function repositoryOf(image: string): string {
  const { registry, path } = splitReference(image)
  return registry === undefined ? path : `${registry}/${path}`
}

function fullPath(registry: string | undefined, path: string): string {
  return isDockerHub(registry) && !path.includes('/') ? `${OFFICIAL_NAMESPACE}/${path}` : path
}

function suffix(parts: ReferenceParts): string {
  return (
    (parts.tag !== undefined ? `:${parts.tag}` : '') +
    (parts.digest !== undefined ? `@${parts.digest}` : '')
  )
}

/**
 * The fully qualified form Docker resolves a reference to:
 * `python:3.12` -> `docker.io/library/python:3.12`, `index.docker.io/org/app` -> `docker.io/org/app`.
 */
export function qualifiedReference(ref: string): string {
  const parts = splitReference(ref)
  return `${canonicalRegistry(parts.registry)}/${fullPath(parts.registry, parts.path)}${suffix(parts)}`
}

/**
 * The familiar (shortest) form Docker prints: `docker.io/library/python:3.12` -> `python:3.12`,
 * `registry-1.docker.io/org/app` -> `org/app`; other registries are kept as written.
 */
export function familiarReference(ref: string): string {
  const parts = splitReference(ref)
  if (!isDockerHub(parts.registry)) return ref
  const path = parts.path.startsWith(`${OFFICIAL_NAMESPACE}/`)
    ? parts.path.slice(OFFICIAL_NAMESPACE.length + 1)
    : parts.path
  return `${path}${suffix(parts)}`
}

/** The familiar repository name (no tag or digest): `docker.io/library/python:3` -> `python`. */
export function familiarName(ref: string): string {
  return familiarReference(repositoryOf(ref))
}

/**
 * Parses and validates a reference. `what` names the input in error messages (`images`,
 * `cache-ref`); each error says what to change.
 */
export function parseReference(ref: string, what = 'image reference'): Reference {
  const fail = (why: string): never => {
    throw new UserError(`${what}: "${ref}" is not a valid image reference: ${why}.`)
  }
  if (ref.trim() === '') fail('it is empty')
  if (/\s/.test(ref)) fail('it contains whitespace')
  const parts = splitReference(ref)
  if (parts.digest !== undefined && !DIGEST_RE.test(parts.digest)) {
    fail(`"@${parts.digest}" is not a digest; write @sha256:<64 hex digits>`)
  }
  if (parts.registry !== undefined && !DOMAIN_RE.test(parts.registry)) {
    fail(`"${parts.registry}" is not a valid registry host[:port]`)
  }
  if (parts.tag !== undefined && !TAG_RE.test(parts.tag)) {
    fail(
      `"${parts.tag}" is not a valid tag (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`
    )
  }
  if (parts.path === '') fail('the repository name is empty')
  for (const component of parts.path.split('/')) {
    if (component !== component.toLowerCase() && PATH_COMPONENT_RE.test(component.toLowerCase())) {
      fail(`the repository name must be lower-case ("${component}")`)
    }
    if (!PATH_COMPONENT_RE.test(component)) {
      fail(
        `"${component || '(empty)'}" is not a valid path component (lower-case letters and digits, separated by ".", "_", "__" or "-")`
      )
    }
  }
  const name = parts.registry === undefined ? parts.path : `${parts.registry}/${parts.path}`
  if (name.length > MAX_NAME_LENGTH) fail(`the name is longer than ${MAX_NAME_LENGTH} characters`)
  const domain = canonicalRegistry(parts.registry)
  return { ...parts, domain, repository: `${domain}/${fullPath(parts.registry, parts.path)}` }
}
