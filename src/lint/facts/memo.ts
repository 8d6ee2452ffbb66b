/**
 * The one memo helper of the facts: a fact derived from a parsed object (a Dockerfile, a stage,
 * an instruction, a shell command, a lineage) is computed once per object and kept as long as the
 * object lives. `undefined` answers are remembered too.
 */
export function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, { value: V }>()
  return (key) => {
    let hit = cache.get(key)
    if (hit === undefined) {
      hit = { value: compute(key) }
      cache.set(key, hit)
    }
    return hit.value
  }
}
