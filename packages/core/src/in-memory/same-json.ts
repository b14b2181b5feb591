/**
 * Whether two JSON texts hold the same value, ignoring key order: a retry that serializes
 * its keys in another order is still the same event (PostgreSQL's jsonb compares so too).
 *
 * @example
 * sameJson('{"a":1,"b":2}', '{"b":2,"a":1}') // true
 */
export function sameJson(a: string, b: string): boolean {
  return a === b || equalValues(JSON.parse(a), JSON.parse(b));
}

function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => equalValues(item, b[index]))
    );
  }
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  const keys = Object.keys(aRecord);
  return (
    keys.length === Object.keys(bRecord).length &&
    keys.every((key) => Object.hasOwn(bRecord, key) && equalValues(aRecord[key], bRecord[key]))
  );
}
