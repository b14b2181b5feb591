import { ValidationError } from '../errors/validation-error.ts';

declare const positionBrand: unique symbol;

/**
 * A place in the global order of events: opaque to callers, comparable with `<` / `>`
 * as a string (and with `comparePositions`), safe in JSON, URLs and headers.
 *
 * Underneath it is the pair (transaction id, sequence) that the PostgreSQL store orders by;
 * each half is 16 hex digits so string order equals numeric order.
 */
export type Position = string & { readonly [positionBrand]: 'Position' };

const pattern = /^[0-9a-f]{16}-[0-9a-f]{16}$/;

/** Before every event: reading after it starts at the beginning. */
export const START_POSITION = makePosition(0n, 0n);

/** Builds a position from its two halves. */
export function makePosition(transactionId: bigint, sequence: bigint): Position {
  return `${transactionId.toString(16).padStart(16, '0')}-${sequence.toString(16).padStart(16, '0')}` as Position;
}

/** True for a well-formed position token. */
export function isPosition(value: unknown): value is Position {
  return typeof value === 'string' && pattern.test(value);
}

/**
 * Checks a token that came from outside (HTTP, CLI) and returns it as a `Position`, or
 * throws a `ValidationError`.
 */
export function toPosition(value: unknown, subject = 'position'): Position {
  if (!isPosition(value)) {
    throw new ValidationError(subject, [
      { path: [], message: 'expected a position token like 00000000000002a1-0000000000000007' },
    ]);
  }
  return value;
}

/** The two halves of a position. */
export function positionParts(position: Position): { transactionId: bigint; sequence: bigint } {
  return {
    transactionId: BigInt(`0x${position.slice(0, 16)}`),
    sequence: BigInt(`0x${position.slice(17)}`),
  };
}

/** -1, 0 or 1 as `a` is before, at or after `b`. */
export function comparePositions(a: Position, b: Position): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}
