import { createHash } from 'node:crypto';

/**
 * A SHA-256 over what makes two requests "the same" for an idempotency key: method, path,
 * `If-Match` and the body as canonical JSON (keys sorted), so a retry that re-serializes
 * its body in another key order still matches.
 */
export function requestHash(parts: {
  method: string;
  path: string;
  ifMatch: string | undefined;
  body: unknown;
}): string {
  const text = canonicalJson([parts.method, parts.path, parts.ifMatch ?? null, parts.body ?? null]);
  return createHash('sha256').update(text).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
