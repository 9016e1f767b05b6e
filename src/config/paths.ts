// Key paths into the config: ['model', 'layers', 0, 'units'] <-> "model.layers.0.units".

export type KeyPath = readonly (string | number)[];

/** `model.layers.0.units`; undefined for the root. */
export function formatPath(path: KeyPath): string | undefined {
  return path.length === 0 ? undefined : path.join('.');
}

/** zod paths may hold symbols; config paths never do. */
export function toKeyPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((k) => (typeof k === 'number' ? k : String(k)));
}

/** The value at `path` in a plain JS value, and whether it is there at all. */
export function valueAt(root: unknown, path: KeyPath): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, key)) {
      return { found: false, value: undefined };
    }
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return { found: true, value: cur };
}
