import { ValidationError } from '../errors/validation-error.ts';
import {
  DEFAULT_IDEMPOTENCY_LOCK_MS,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyStoreOptions,
} from './idempotency-store.ts';

/** Keys longer than this are refused: they are stored and indexed, and no client needs more. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Checks the arguments every idempotency store takes, so each adapter refuses the same
 * input with the same `ValidationError`.
 */
export function checkIdempotencyInput(input: {
  scope: unknown;
  key: unknown;
  requestHash?: unknown;
  lockMs?: unknown;
}): void {
  const fail = (path: string, message: string) =>
    new ValidationError('idempotency key', [{ path: [path], message }]);
  if (typeof input.scope !== 'string' || input.scope.length > 500) {
    throw fail('scope', 'expected a string of at most 500 characters');
  }
  if (
    typeof input.key !== 'string' ||
    input.key.length === 0 ||
    input.key.length > MAX_IDEMPOTENCY_KEY_LENGTH
  ) {
    throw fail('key', `expected 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  if ('requestHash' in input && typeof input.requestHash !== 'string') {
    throw fail('requestHash', 'expected a string');
  }
  if (input.lockMs !== undefined && !isDuration(input.lockMs)) {
    throw fail('lockMs', 'expected a whole number of milliseconds >= 1');
  }
}

/** Resolves and checks a store's options; a bad one fails at creation, naming the option. */
export function resolveIdempotencyStoreOptions(
  options: IdempotencyStoreOptions,
): Required<IdempotencyStoreOptions> {
  const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const lockMs = options.lockMs ?? DEFAULT_IDEMPOTENCY_LOCK_MS;
  for (const [name, value] of [
    ['ttlMs', ttlMs],
    ['lockMs', lockMs],
  ] as const) {
    if (!isDuration(value)) {
      throw new ValidationError(`option ${name}`, [
        { path: [name], message: 'expected a whole number of milliseconds >= 1' },
      ]);
    }
  }
  return { ttlMs, lockMs };
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
