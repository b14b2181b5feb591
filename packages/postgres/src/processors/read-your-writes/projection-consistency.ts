import {
  type ConsistencyRequest,
  type ConsistencyWaiter,
  DuetError,
  ErrorCode,
  type Position,
  parseReadToken,
  StaleReadError,
} from '@duet/core';
import { createNotifyWakeUp } from '../../executor/notify-wake-up.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { integerOption } from '../../options/option-checks.ts';
import { checkSchemaName } from '../../schema-name.ts';
import { readSlowestActiveCheckpoints } from '../tables/checkpoints-table.ts';
import { checkpointsChannel } from '../tables/notify-channels.ts';

/** A `ConsistencyWaiter` and the LISTEN it holds. */
export interface ProjectionConsistency {
  readonly wait: ConsistencyWaiter;
  close(): Promise<void>;
}

/**
 * Read-your-writes for the query bus: resolves once every partition of the active version
 * of each named projection has its checkpoint at or past `minPosition`. It LISTENs on the
 * runners' checkpoint channel in the read-model database and re-checks on each NOTIFY (no
 * busy polling); at the deadline it throws `StaleReadError` with the slowest position.
 * Needs only the read-model database, so query-only processes can use it too. A request
 * with `tokens` is refused (`CONSISTENCY_UNSUPPORTED`): they name other services' writes,
 * which these checkpoints know nothing of, and answering anyway would be a stale read; a
 * malformed token is a `ValidationError` first.
 *
 * @example
 * const consistency = createProjectionConsistency({ executor: readModels });
 * const queries = createQueryBus({ handlers, consistency: consistency.wait });
 */
export function createProjectionConsistency(options: {
  readonly executor: SqlExecutor;
  /** The runner's schema (default 'duet_projections'). */
  readonly schema?: string;
  /**
   * Re-check this often while no NOTIFY arrives (default 1000): a fallback for a LISTEN
   * that could not be set up; notifications (and the re-check after a LISTEN reconnects)
   * do the rest.
   */
  readonly pollIntervalMs?: number;
}): ProjectionConsistency {
  const schema = checkSchemaName(options.schema ?? 'duet_projections');
  const pollIntervalMs = integerOption(
    'pollIntervalMs',
    options.pollIntervalMs,
    1_000,
    10,
    3_600_000,
  );
  const { executor } = options;
  const wake = createNotifyWakeUp((onNotify) =>
    executor.listen(checkpointsChannel(schema), onNotify),
  );

  /** The slowest checkpoint among the projections; null while one is not set up yet. */
  const slowest = async (projections: readonly string[]) => {
    const rows = await readSlowestActiveCheckpoints(executor, schema, projections);
    const reached = rows.reduce<string | null>(
      (min, row) => (min === null || row.reached < min ? row.reached : min),
      null,
    );
    return { complete: rows.length === new Set(projections).size, reached };
  };

  // Queries woken by the same notification share one look at the checkpoints instead of
  // one each (at 1,000 queries/s every batch woke every waiter). Sharing is only within
  // one wake-up generation: a look begun before a notification may predate the move it
  // announces, so a waiter that saw that notification starts a look of its own.
  const inFlight = new Map<string, { generation: number; result: ReturnType<typeof slowest> }>();
  const sharedSlowest = (projections: readonly string[], generation: number) => {
    const key = [...projections].sort().join('\u0000');
    const current = inFlight.get(key);
    if (current?.generation === generation) return current.result;
    const result = slowest(projections).finally(() => {
      if (inFlight.get(key)?.result === result) inFlight.delete(key);
    });
    inFlight.set(key, { generation, result });
    return result;
  };

  const wait = async (request: ConsistencyRequest): Promise<void> => {
    const { projections, minPosition, timeoutMs, queryType, signal } = request;
    if (request.tokens.length > 0) {
      // A malformed token is the caller's mistake (a 400), whether or not this waiter
      // could honour a good one (a 501).
      for (const token of request.tokens) parseReadToken(token);
      throw new DuetError(
        ErrorCode.CONSISTENCY_UNSUPPORTED,
        `query ${queryType} asked for read tokens (${request.tokens.join(', ')}): these tokens name other services' writes, and this waiter only knows this store's positions`,
      );
    }
    if (projections.length === 0) return;
    const started = Date.now();
    const deadline = started + timeoutMs;
    await wake.start();
    for (;;) {
      signal?.throwIfAborted();
      const seen = wake.generation;
      const { complete, reached } = await sharedSlowest(projections, seen);
      if (complete && reached !== null && reached >= minPosition) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new StaleReadError(
          queryType,
          minPosition,
          Date.now() - started,
          ...(reached === null ? [] : [reached as Position]),
        );
      }
      await wake.wait(seen, Math.min(remaining, pollIntervalMs), signal);
    }
  };

  return { wait, close: () => wake.close() };
}
