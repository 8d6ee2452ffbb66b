/** The user a stage runs as. */
import { expand, isRootUser, type Dockerfile, type Instr, type Stage } from '../model.js'
import { lineageInstructions, lineage } from './lineage.js'
import { rootImage } from './images.js'
import { varsBefore } from './scopes.js'

/** USER root, 0, root:*, 0:* (quotes removed). */
export function isRootUserSpec(user: string): boolean {
  return isRootUser(user.trim().replace(/^["']|["']$/g, ''))
}

/** The user a USER instruction sets, with ARG/ENV values substituted where they are known. */
export function userOf(df: Dockerfile, user: Instr): string {
  return expand(user.args, varsBefore(df, user)) ?? user.args
}

/** Bases whose image config already sets an unprivileged USER. */
const NONROOT_BASES = [
  /^(quay\.io\/)?jupyter\//, // docker-stacks: USER ${NB_UID} (1000)
  /^cgr\.dev\/chainguard\//, // nonroot (65532) unless a -dev variant
  /^(docker\.io\/)?bitnami\// // 1001
]

/** Whether a stage's lineage starts from `scratch` (nothing runs in it: an export or data stage). */
export function isScratch(stage: Stage): boolean {
  const chain = lineage(stage)
  return chain[chain.length - 1].resolvedImage === 'scratch'
}

/**
 * Effective user at the end of a lineage: the last USER (variables substituted: `ARG UID=0` +
 * `USER $UID` is root); without one, root unless the base image sets an unprivileged user.
 */
export function finalUserIsRoot(df: Dockerfile, stage: Stage): boolean {
  const users = lineageInstructions(stage).filter((i) => i.keyword === 'USER')
  const last = users[users.length - 1]
  return last ? isRootUserSpec(userOf(df, last)) : baseUserIsRoot(stage)
}

/** Whether the user a stage starts with (no USER of its own yet) is root. */
export function baseUserIsRoot(stage: Stage): boolean {
  if (isScratch(stage)) return false
  const base = rootImage(stage) ?? ''
  if (base.includes('nonroot')) return false
  return !(NONROOT_BASES.some((re) => re.test(base)) && !/:[^/]*-dev\b/.test(base))
}
