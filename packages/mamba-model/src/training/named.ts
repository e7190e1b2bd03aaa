// Named collections of the training layer: parameters, gradients and optimizer state are passed
// as a Map or a plain object of name -> value, iterated in insertion order (the order fixes the
// order of GPU work and of fixed-order reductions, so it must not depend on anything else).

/** Name -> value, as a Map or a plain object; names are checkpoint names (`backbone.norm_f.weight`). */
export type Named<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

/** The entries of a named collection in insertion order. */
export function namedEntries<T>(named: Named<T>): [string, T][] {
  return named instanceof Map ? [...named.entries()] : Object.entries(named as Record<string, T>);
}

/** A lookup over a named collection. */
export function namedGetter<T>(named: Named<T>): (name: string) => T | undefined {
  if (named instanceof Map) return (name) => named.get(name);
  const record = named as Record<string, T>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}
