import { type IdempotencyStore, MAX_IDEMPOTENCY_KEY_LENGTH, ValidationError } from '@duet/core';
import { HttpProblem } from '../problems/http-problem.ts';

/** The header that marks a response as a replay of a stored one. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Runs `execute` once per (scope, key): a repeat with the same request hash gets the stored
 * result (marked replayed), one with another hash a 422, one while the first still runs
 * a 409 with `Retry-After`. `execute` gets the claim's token to hand to the append, which
 * completes the key in its own transaction (`AppendOptions.idempotencyKey`); completing it
 * here again afterwards is then a no-op. On an error the key is released, which is a no-op
 * too when the append committed and only its reply was lost: the retry then gets the
 * stored result instead of running again. A failure that stored nothing frees the key.
 *
 * @example
 * const { result, replayed } = await runIdempotently({ store, scope: 'user-7', key, hash, execute });
 */
export async function runIdempotently<T>(options: {
  readonly store: IdempotencyStore;
  readonly scope: string;
  readonly key: string;
  readonly hash: string;
  readonly retryAfterSeconds: number;
  readonly execute: (token: string) => Promise<T>;
}): Promise<{ result: T; replayed: boolean }> {
  const { store, scope, key } = options;
  const claim = await store.claim(scope, key, options.hash);
  switch (claim.status) {
    case 'completed':
      return { result: claim.result as T, replayed: true };
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
  let result: T;
  try {
    result = await options.execute(claim.token);
  } catch (error) {
    await store.release(scope, key, claim.token);
    throw error;
  }
  // Completes keys the append did not (a command that appended nothing, a store elsewhere).
  await store.complete(scope, key, claim.token, result);
  return { result, replayed: false };
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
