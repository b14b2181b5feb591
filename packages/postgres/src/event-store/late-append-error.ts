import { ConcurrencyError, type ExpectedVersion } from '@duet/core';

/**
 * A `ConcurrencyError` for an append inside `store.transaction` that would land out of
 * order: the transaction got its id before it appended (it wrote something first, or
 * appended to another stream), and meanwhile a newer transaction appended to this
 * stream and committed. Stored, these events would come before that transaction's in the
 * global order while following them in the stream. Nothing was stored; run the whole
 * transaction again (a new transaction gets a new id). Callers branch on
 * `ConcurrencyError` (code `CONCURRENCY`) as for any other lost race.
 */
export class LateAppendError extends ConcurrencyError {
  constructor(stream: string, expected: ExpectedVersion, actual: number) {
    super(stream, expected, actual);
    this.message = `stream ${stream}: a transaction that started later appended to it first (the stream is at ${actual}); retry in a new transaction`;
  }
}
