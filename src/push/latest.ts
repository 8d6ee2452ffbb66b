import semver from 'semver'

/**
 * `latest=highest`: may this release move `latest`? Only when no released (non-prerelease) semver
 * tag already in the registry is higher. Tags carry the flavor's prefix and suffix, stripped here.
 */
export function highestRelease(
  version: string,
  registryTags: string[],
  affix: { prefix: string; suffix: string }
): { highest: boolean; above?: string } {
  const bare = (tag: string): string | undefined =>
    tag.startsWith(affix.prefix) &&
    tag.endsWith(affix.suffix) &&
    tag.length > affix.prefix.length + affix.suffix.length
      ? tag.slice(affix.prefix.length, tag.length - affix.suffix.length)
      : undefined
  const mine = semver.valid(bare(version) ?? version)
  if (!mine) return { highest: true }
  let above: string | undefined
  for (const tag of registryTags) {
    const v = semver.valid(bare(tag) ?? '')
    if (!v || semver.prerelease(v)) continue
    if (semver.gt(v, mine) && (!above || semver.gt(v, above))) above = v
  }
  return above ? { highest: false, above } : { highest: true }
}
