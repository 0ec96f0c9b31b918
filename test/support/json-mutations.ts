// Damage for the property tests of the hand-written readers (metadata-check, config-check, the state
// files): a valid JSON value with a few values replaced, keys deleted or added anywhere in it.
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value, the value itself first. */
function pathsOf(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...at, k]));
  return out;
}

export type Mutation = { kind: 'replace' | 'delete' | 'add'; pick: number; value: Json; key: string };

/** `m` (left as it is) with `mutations` applied to a copy. */
export function mutate(m: Json, mutations: Mutation[]): Json {
  const root = structuredClone(m);
  for (const { kind, pick, value: given, key } of mutations) {
    // A copy each time: one shared value added twice would make the tree cyclic.
    const value = structuredClone(given);
    const paths = pathsOf(root);
    const p = paths[pick % paths.length]!;
    if (p.length === 0) {
      if (kind === 'replace') return value;
      continue;
    }
    let parent = root as Record<string | number, Json>;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
    const last = p[p.length - 1]!;
    if (kind === 'replace') parent[last] = value;
    else if (kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target)) target[key] = value;
      else if (Array.isArray(target)) target.push(value);
    }
  }
  return root;
}

/** One mutation: any JSON value or one of `values` (the edge cases of the format), under one of
 * `keys` when it adds a key. */
export function mutationOf(values: readonly Json[], keys: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.record({
    kind: fc.constantFrom<Mutation['kind']>('replace', 'delete', 'add'),
    pick: fc.nat(),
    value: fc.oneof(fc.jsonValue() as fc.Arbitrary<Json>, fc.constantFrom<Json>(...values)),
    key: fc.constantFrom(...keys),
  });
}
