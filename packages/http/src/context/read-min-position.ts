import { ValidationError } from '@duet/core';
import type { FastifyRequest } from 'fastify';

/** The request header that carries a position token for read-your-writes. */
export const MIN_POSITION_HEADER = 'duet-min-position';
/** The query-string parameter that does the same. */
export const MIN_POSITION_PARAM = 'minPosition';

/**
 * The position a query must see, from the `minPosition` parameter or the
 * `Duet-Min-Position` header (the parameter wins). The query bus checks its format.
 */
export function readMinPosition(
  request: FastifyRequest,
  fromQueryString: unknown,
): string | undefined {
  const value = fromQueryString ?? request.headers[MIN_POSITION_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new ValidationError('minPosition', [
      { path: [MIN_POSITION_PARAM], message: 'expected one position token' },
    ]);
  }
  return value;
}
