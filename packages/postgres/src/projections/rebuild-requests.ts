import type { Position } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkSchemaName } from '../schema-name.ts';
import { controlChannel } from './notify-channels.ts';

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

interface Row {
  readonly id: string;
  readonly name: string;
  readonly requested_at: string;
  readonly done_at: string | null;
  readonly done_by: string | null;
  readonly error: string | null;
}

const columns = `id::text AS id, name,
  to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS requested_at,
  done_at::text AS done_at, done_by, error`;

const toRequest = (row: Row): RebuildRequest => ({
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
  const table = `${quoteIdentifier(schema)}.rebuild_requests`;
  const { executor } = options;
  return {
    async request(name, { from } = {}) {
      try {
        return await executor.transaction(async (tx) => {
          const { rows } = await tx.query<Row>(
            `INSERT INTO ${table} (name, from_position, from_time)
             VALUES ($1, $2, $3::timestamptz) RETURNING ${columns}`,
            [
              name,
              typeof from === 'string' ? from : null,
              from instanceof Date ? from.toISOString() : null,
            ],
          );
          // Delivered at commit, so the runner finds the row.
          await tx.query('SELECT pg_notify($1, $2)', [controlChannel(schema), name]);
          return toRequest(rows[0]!);
        });
      } catch (error) {
        throw explainMissingSchema(error, schema, 'processors');
      }
    },
    async get(id) {
      if (!/^\d{1,18}$/.test(id)) return null;
      const { rows } = await executor
        .query<Row>(`SELECT ${columns} FROM ${table} WHERE id = $1::bigint`, [id])
        .catch((error: unknown) => {
          throw explainMissingSchema(error, schema, 'processors');
        });
      return rows[0] ? toRequest(rows[0]) : null;
    },
    async withdraw(id) {
      if (!/^\d{1,18}$/.test(id)) return false;
      const { rows } = await executor.query(
        `DELETE FROM ${table} WHERE id = $1::bigint AND done_at IS NULL RETURNING 1`,
        [id],
      );
      return rows.length > 0;
    },
  };
}
