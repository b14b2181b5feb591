import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ConcurrencyError } from './concurrency-error.ts';
import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';
import { UnknownMessageError } from './unknown-message-error.ts';

describe('ErrorCode', () => {
  it('given the constants, then each value is its own name (stable on the wire)', () => {
    for (const [name, value] of Object.entries(ErrorCode)) expect(value).toBe(name);
  });

  it('given a DuetError, then its code is typed as the union, not string', () => {
    expectTypeOf<DuetError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf(ErrorCode.CONCURRENCY).toEqualTypeOf<'CONCURRENCY'>();
    // @ts-expect-error a code that is not one of the constants does not compile
    new DuetError('NOT_A_CODE', 'x');
    expect(new ConcurrencyError('s', 1, 2).code).toBe(ErrorCode.CONCURRENCY);
  });

  it('given an unknown message of each kind, then its code is the matching constant', () => {
    expect(new UnknownMessageError('command', 'X').code).toBe(ErrorCode.UNKNOWN_COMMAND);
    expect(new UnknownMessageError('query', 'X').code).toBe(ErrorCode.UNKNOWN_QUERY);
    expect(new UnknownMessageError('event', 'X').code).toBe(ErrorCode.UNKNOWN_EVENT);
  });

  it('given a concurrency error, when a caller branches on class and code, then it retries', () => {
    const error: unknown = new ConcurrencyError('account-a1', 1, 2);
    const retryLater = vi.fn();
    // packages/core/README.md shows this region.
    // #region branch-on-code
    if (error instanceof DuetError && error.code === ErrorCode.CONCURRENCY) retryLater();
    // #endregion branch-on-code
    expect(retryLater).toHaveBeenCalledOnce();
  });
});
