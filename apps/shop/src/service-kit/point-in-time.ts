import { type PointInTime, ValidationError } from '@duet/core';
import { z } from 'zod';

/** The parameters of an "as of" query: one of a stream version or a moment. */
export const pointInTimeParams = {
  /** After this many of the stream's events (0: before the first). */
  version: z.number().int().min(0).max(1_000_000_000).optional(),
  /** As of this moment (ISO 8601): events recorded later are left out. */
  at: z.iso.datetime({ offset: true }).optional(),
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
