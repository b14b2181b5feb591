import { ValidationError } from '@duet/core';
import type { FastifyRequest } from 'fastify';

/** The request header that carries read-your-writes tokens, comma-separated. */
export const READ_TOKENS_HEADER = 'duet-read-tokens';
/** The query-string parameter that carries one token; repeat it for more. */
export const READ_TOKEN_PARAM = 'readToken';

/**
 * The read-your-writes tokens a query must see (e.g. other services' command replies'
 * `readToken`), from the repeatable `readToken` parameter or the `Duet-Read-Tokens`
 * header, comma-separated (the parameter wins). What a token means is the query bus's
 * waiter's business; the bus checks the list (1 to 16 tokens of at most 300 characters).
 *
 * @example
 * readRequestTokens(request, ['orders@order-o-1:3']) // ['orders@order-o-1:3']
 */
export function readRequestTokens(
  request: FastifyRequest,
  fromQueryString: unknown,
): string[] | undefined {
  if (fromQueryString !== undefined) {
    const values = Array.isArray(fromQueryString) ? fromQueryString : [fromQueryString];
    if (values.every((value) => typeof value === 'string')) return values;
    throw new ValidationError('readToken', [
      { path: [READ_TOKEN_PARAM], message: 'expected one or more tokens' },
    ]);
  }
  const header = request.headers[READ_TOKENS_HEADER];
  if (header === undefined) return undefined;
  // Node joins repeated header lines with ', ', so this reads those too.
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined.split(',').map((token) => token.trim());
}
