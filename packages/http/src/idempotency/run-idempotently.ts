import { type IdempotencyStore, MAX_IDEMPOTENCY_KEY_LENGTH, ValidationError } from '@duet/core';
import { HttpProblem } from '../problems/http-problem.ts';

/** A response as the command route sends it and the idempotency store keeps it. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The header that marks a response as a replay of a stored one. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Runs `execute` once per (scope, key): a repeat with the same request hash gets the stored
 * response (marked replayed), one with another hash a 422, one while the first still runs
 * a 409 with `Retry-After`. Only successes are stored: a failed command changed nothing,
 * so the key is released and a retry runs it again.
 *
 * @example
 * const { response, replayed } = await runIdempotently({ store, scope: 'user-7', key, hash, execute });
 */
export async function runIdempotently(options: {
  readonly store: IdempotencyStore;
  readonly scope: string;
  readonly key: string;
  readonly hash: string;
  readonly retryAfterSeconds: number;
  readonly execute: () => Promise<StoredResponse>;
}): Promise<{ response: StoredResponse; replayed: boolean }> {
  const { store, scope, key } = options;
  const claim = await store.claim(scope, key, options.hash);
  switch (claim.status) {
    case 'completed':
      return { response: claim.result as StoredResponse, replayed: true };
    case 'mismatch':
      throw new HttpProblem(
        'idempotency-key-reused',
        'this Idempotency-Key was first used with another request; use a new key',
      );
    case 'in-progress':
      throw new HttpProblem(
        'idempotency-key-in-use',
        'a request with this Idempotency-Key is still running; retry later',
        { headers: { 'retry-after': String(options.retryAfterSeconds) } },
      );
  }
  let response: StoredResponse;
  try {
    response = await options.execute();
  } catch (error) {
    await store.release(scope, key, claim.token);
    throw error;
  }
  await store.complete(scope, key, claim.token, response);
  return { response, replayed: false };
}

/** Reads the `Idempotency-Key` header: a token of visible ASCII, quoted or not. */
export function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? '' : header.trim();
  const key = /^"(.*)"$/.exec(raw)?.[1] ?? raw;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ValidationError('header Idempotency-Key', [
      {
        path: ['Idempotency-Key'],
        message: `expected 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
      },
    ]);
  }
  return key;
}
