import { ConcurrencyError, type EventMetadataInput } from '@duet/core';
import { type EventStoreTransaction, LateAppendError } from '@duet/postgres';
import { SYSTEM_CONTEXT } from './catalog-access.ts';
import { planStockRequest } from './plan-stock-request.ts';
import { readStockStates } from './read-stock-states.ts';
import type { StockPlan } from './stock-plan.ts';
import type { StockRequest } from './stock-request.ts';

/** Options of `runStockRequest`. */
export interface RunStockRequestOptions {
  /** Metadata for every appended event (correlation and causation from the message). */
  readonly metadata?: EventMetadataInput;
  /** Plans tried in this transaction before a lost race is thrown (default 5). */
  readonly attempts?: number;
}

// Undoes a half-appended plan before the next attempt: a plan appends stream by stream,
// and a race lost on its second stream leaves the first one's events in the transaction.
const SAVEPOINT = 'catalog_stock_request';

/**
 * Runs one stock request in the caller's store transaction: read the reservation and
 * product streams with their versions, plan, and append every entry of the plan with its
 * expected version. A `ConcurrencyError` (another writer got to a stream first) rolls the
 * attempt back to a savepoint and plans again on fresh reads, up to `attempts` times, then
 * is thrown: the consumer's retry runs the message later in a new transaction. A
 * `LateAppendError` is thrown at once, because only a new transaction can fix it.
 *
 * @example
 * await store.transaction((tx) => runStockRequest(tx, request));
 */
export async function runStockRequest(
  tx: EventStoreTransaction,
  request: StockRequest,
  options: RunStockRequestOptions = {},
): Promise<StockPlan> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const plan = planStockRequest(request, await readStockStates(tx, request), SYSTEM_CONTEXT);
    if (plan.appends.length === 0) return plan;
    // One append cannot be half done: it needs no savepoint (two round trips saved).
    const guarded = plan.appends.length > 1;
    if (guarded) await tx.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      for (const { stream, events, expectedVersion } of plan.appends) {
        const stamped = events.map((event) =>
          options.metadata === undefined ? event : { ...event, metadata: options.metadata },
        );
        await tx.append(stream, stamped, { expectedVersion });
      }
      if (guarded) await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return plan;
    } catch (error) {
      if (guarded) await tx.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      const retry =
        error instanceof ConcurrencyError &&
        !(error instanceof LateAppendError) &&
        attempt < attempts;
      if (!retry) throw error;
    }
  }
}
