import { ValidationError } from '../errors/validation-error.ts';
import { type Position, START_POSITION, toPosition } from '../event-store/position.ts';
import type { QueryContext } from './query-bus.ts';

/** Most read-your-writes tokens one query may carry. */
export const MAX_READ_TOKENS = 16;
/** Longest read-your-writes token, in characters. */
export const MAX_READ_TOKEN_LENGTH = 300;

/** A context's `consistency`, checked and with defaults applied. */
export interface ResolvedConsistency {
  readonly minPosition: Position;
  readonly tokens: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Checks a query context's `consistency`: at least one of `minPosition` (a store
 * position) and `tokens` (1 to 16 non-empty strings of at most 300 characters, whose
 * meaning is the waiter's). Only tokens means "from the start" for the position. Returns
 * undefined when the context asks for nothing; throws `ValidationError` otherwise.
 *
 * @example
 * resolveConsistency('MyOrders', { consistency: { tokens: ['orders@order-1:3'] } }, 5_000)
 * // { minPosition: START_POSITION, tokens: ['orders@order-1:3'], timeoutMs: 5000 }
 */
export function resolveConsistency(
  type: string,
  context: QueryContext,
  defaultTimeoutMs: number,
): ResolvedConsistency | undefined {
  const { consistency } = context;
  if (consistency === undefined) return undefined;
  const subject = `query ${type} consistency`;
  if (typeof consistency !== 'object' || consistency === null) {
    throw new ValidationError(subject, [
      { path: [], message: 'expected { minPosition?, tokens?, timeoutMs? }' },
    ]);
  }
  const { minPosition, tokens, timeoutMs = defaultTimeoutMs } = consistency;
  if (minPosition === undefined && tokens === undefined) {
    throw new ValidationError(subject, [
      { path: [], message: 'expected minPosition, tokens or both' },
    ]);
  }
  const position =
    minPosition === undefined ? START_POSITION : toPosition(minPosition, `${subject} minPosition`);
  if (!isTimeout(timeoutMs)) {
    throw new ValidationError(subject, [
      { path: ['timeoutMs'], message: 'expected a whole number of milliseconds >= 0' },
    ]);
  }
  return {
    minPosition: position,
    tokens: tokens === undefined ? [] : checkTokens(type, tokens),
    timeoutMs,
  };
}

function checkTokens(type: string, tokens: unknown): readonly string[] {
  const fail = (path: (string | number)[], message: string) =>
    new ValidationError(`query ${type}`, [{ path: ['consistency', 'tokens', ...path], message }]);
  if (!Array.isArray(tokens) || tokens.length === 0 || tokens.length > MAX_READ_TOKENS) {
    throw fail([], `expected a list of 1 to ${MAX_READ_TOKENS} tokens`);
  }
  tokens.forEach((token: unknown, index) => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_READ_TOKEN_LENGTH) {
      throw fail(
        [index],
        `expected a non-empty string of at most ${MAX_READ_TOKEN_LENGTH} characters`,
      );
    }
  });
  // A copy: the waiter must see the list that was checked, whatever the caller does next.
  return Object.freeze([...tokens]) as readonly string[];
}

/** True for a whole number of milliseconds >= 0. */
export function isTimeout(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
