import type { Position } from '@duet/core';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { explainMissingSchema } from '../../not-migrated-error.ts';
import { checkSchemaName } from '../../schema-name.ts';
import {
  deletePendingRebuildRequest,
  insertRebuildRequest,
  type RebuildRequestRow,
  readRebuildRequest,
} from '../tables/rebuild-requests-table.ts';

/** A rebuild asked of the runner that owns the projection. */
export interface RebuildRequest {
  readonly id: string;
  readonly name: string;
  /**
   * 'pending' until a runner that works the projection takes it; 'done' once it has reset
   * the read model (it then replays: follow `status()` until the partitions are live);
   * 'failed' when that runner could not (see `error`).
   */
  readonly state: 'pending' | 'done' | 'failed';
  readonly requestedAt: string;
  /** The runner that took it (`host:pid:random`). */
  readonly doneBy?: string;
  readonly error?: string;
}

/** Asks running runners to rebuild, instead of starting another runner beside them. */
export interface RebuildRequests {
  /** Records a request and NOTIFYs the runners; `from` as in `Processors.rebuild`. */
  request(name: string, options?: { readonly from?: Position | Date }): Promise<RebuildRequest>;
  /** The request as it stands, or null when there is no such id. */
  get(id: string): Promise<RebuildRequest | null>;
  /** Withdraws a request no runner has taken; false when one took it meanwhile (or it is unknown). */
  withdraw(id: string): Promise<boolean>;
}

const toRequest = (row: RebuildRequestRow): RebuildRequest => ({
  id: row.id,
  name: row.name,
  state: row.done_at === null ? 'pending' : row.error === null ? 'done' : 'failed',
  requestedAt: row.requested_at,
  ...(row.done_by === null ? {} : { doneBy: row.done_by }),
  ...(row.error === null ? {} : { error: row.error }),
});

/**
 * Rebuild requests in the runners' tables of the read-model database. A runner that works
 * a partition of the projection's active version takes the request (on the NOTIFY, or
 * within its status interval), resets the read model in the same transaction that marks
 * the request done, and replays; its progress shows in `status()` from any process.
 *
 * @example
 * const requests = createRebuildRequests({ executor: readModels });
 * const { id } = await requests.request('order_history');
 */
export function createRebuildRequests(options: {
  readonly executor: SqlExecutor;
  /** The runners' schema (default 'duet_projections'). */
  readonly schema?: string;
}): RebuildRequests {
  const schema = checkSchemaName(options.schema ?? 'duet_projections');
  const { executor } = options;
  return {
    async request(name, { from } = {}) {
      try {
        return await executor.transaction(async (tx) =>
          toRequest(
            await insertRebuildRequest(tx, schema, name, {
              position: typeof from === 'string' ? from : null,
              time: from instanceof Date ? from.toISOString() : null,
            }),
          ),
        );
      } catch (error) {
        throw explainMissingSchema(error, schema, 'processors');
      }
    },
    async get(id) {
      if (!/^\d{1,18}$/.test(id)) return null;
      const row = await readRebuildRequest(executor, schema, id).catch((error: unknown) => {
        throw explainMissingSchema(error, schema, 'processors');
      });
      return row ? toRequest(row) : null;
    },
    async withdraw(id) {
      if (!/^\d{1,18}$/.test(id)) return false;
      return deletePendingRebuildRequest(executor, schema, id);
    },
  };
}
