import { type PointInTime, ValidationError } from '@duet/core';
import { z } from 'zod';

/**
 * The parameters of an "as of" query: one of a stream version or a moment. The rule that
 * exactly one is given is a check, not a schema keyword, so the descriptions say it: the
 * OpenAPI document carries them to clients.
 */
export const pointInTimeParams = {
  version: z
    .number()
    .int()
    .min(0)
    .max(1_000_000_000)
    .optional()
    .describe(
      "after this many of the stream's events (0: before the first); give version or at, not both",
    ),
  at: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('as of this moment (ISO 8601), later events left out; give version or at, not both'),
};

/**
 * The point a time-travel query asks for; a `ValidationError` naming the query when it
 * gives both or neither.
 *
 * @example
 * pointInTime('OrderAsOf', { version: 3 }); // { version: 3 }
 */
export function pointInTime(
  query: string,
  params: { readonly version?: number | undefined; readonly at?: string | undefined },
): PointInTime {
  if ((params.version === undefined) === (params.at === undefined)) {
    throw new ValidationError(`query ${query}`, [
      { path: [], message: 'give exactly one of version and at' },
    ]);
  }
  return params.version !== undefined ? { version: params.version } : { timestamp: params.at! };
}
