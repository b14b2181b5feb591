import type { JsonSchema } from '@duet/core';

/** The parameter names treated as page sizes. */
export const PAGE_SIZE_PARAMS = ['limit', 'pageSize'] as const;

/**
 * Lowers a page size above `max` (or above the schema's own `maximum`) to that bound, so a
 * client asking for a million rows gets a full page instead of an error or a huge read.
 * Only parameters the query's schema declares are touched; anything not a number is left
 * for the schema check.
 *
 * @example
 * clampPageSize({ limit: 1_000_000 }, { properties: { limit: { type: 'integer' } } }, 100)
 * // { limit: 100 }
 */
export function clampPageSize(
  params: unknown,
  schema: JsonSchema | undefined,
  max: number,
): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const properties = schema?.properties;
  if (typeof properties !== 'object' || properties === null) return params;
  const clamped: Record<string, unknown> = { ...params };
  for (const name of PAGE_SIZE_PARAMS) {
    const value = clamped[name];
    if (!Object.hasOwn(properties, name) || typeof value !== 'number') continue;
    const declared = (properties as Record<string, { maximum?: unknown }>)[name]?.maximum;
    const bound = typeof declared === 'number' ? Math.min(declared, max) : max;
    if (value > bound) clamped[name] = bound;
  }
  return clamped;
}
