/** One difference between two JSON values, at a path like `lines[0].quantity`. */
export interface JsonChange {
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * What changed from `before` to `after`, leaf by leaf (objects and arrays are walked; other
 * values compare by their JSON). Time travel shows it beside a version's state.
 *
 * @example
 * jsonDiff({ status: 'cart' }, { status: 'placed' }); // [{ path: 'status', kind: 'changed', ... }]
 */
export function jsonDiff(before: unknown, after: unknown, path = ''): JsonChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const at = join(path, key);
      if (!(key in after)) return [{ path: at, kind: 'removed' as const, before: before[key] }];
      if (!(key in before)) return [{ path: at, kind: 'added' as const, after: after[key] }];
      return jsonDiff(before[key], after[key], at);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: JsonChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i += 1) {
      const at = join(path, i);
      if (i >= after.length) changes.push({ path: at, kind: 'removed', before: before[i] });
      else if (i >= before.length) changes.push({ path: at, kind: 'added', after: after[i] });
      else changes.push(...jsonDiff(before[i], after[i], at));
    }
    return changes;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '(state)', kind: 'changed', before, after }];
}
