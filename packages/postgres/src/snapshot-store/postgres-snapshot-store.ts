import { type Snapshot, type SnapshotStore, ValidationError } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';

export interface PostgresSnapshotStoreOptions {
  readonly executor: SqlExecutor;
  /** The schema `migrate` created (default 'duet'). */
  readonly schema?: string;
}

interface SnapshotRow {
  readonly stream_version: number;
  readonly state: unknown;
}

function checkVersion(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError('snapshot', [
      { path: [name], message: `expected a whole number >= ${min}, got ${String(value)}` },
    ]);
  }
  return value;
}

/**
 * Deciders' states by stream and decider version, as JSON. `save` keeps the newest: a
 * snapshot at an older stream version than the stored one is ignored.
 *
 * @example
 * const snapshots = createPostgresSnapshotStore({ executor });
 * await snapshots.save({ stream: 'order-1', streamVersion: 200, deciderVersion: 1, state });
 */
export function createPostgresSnapshotStore(options: PostgresSnapshotStoreOptions): SnapshotStore {
  const { executor } = options;
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  return {
    async load<State>(stream: string, deciderVersion: number): Promise<Snapshot<State> | null> {
      checkVersion('deciderVersion', deciderVersion, 0);
      try {
        const { rows } = await executor.query<SnapshotRow>(
          `SELECT stream_version::integer AS stream_version, state
             FROM "${schema}".snapshots
            WHERE tenant = ${CURRENT_TENANT_SQL} AND stream = $1 AND decider_version = $2`,
          [stream, deciderVersion],
        );
        const row = rows[0];
        if (!row) return null;
        return {
          stream,
          streamVersion: row.stream_version,
          deciderVersion,
          state: row.state as State,
        };
      } catch (error) {
        throw explainMissingSchema(error, schema);
      }
    },
    async save<State>(snapshot: Snapshot<State>): Promise<void> {
      if (typeof snapshot?.stream !== 'string' || snapshot.stream.length === 0) {
        throw new ValidationError('snapshot', [
          { path: ['stream'], message: 'expected a stream name' },
        ]);
      }
      checkVersion('streamVersion', snapshot.streamVersion, 0);
      checkVersion('deciderVersion', snapshot.deciderVersion, 0);
      let state: string | undefined;
      try {
        state = JSON.stringify(snapshot.state);
      } catch (error) {
        throw new ValidationError('snapshot', [
          { path: ['state'], message: `not serializable as JSON: ${(error as Error).message}` },
        ]);
      }
      if (state === undefined) {
        throw new ValidationError('snapshot', [
          { path: ['state'], message: 'expected a JSON value' },
        ]);
      }
      try {
        await executor.query(
          `INSERT INTO "${schema}".snapshots AS s (stream, decider_version, stream_version, state, saved_at)
           VALUES ($1, $2, $3, $4::text::jsonb, now())
           ON CONFLICT (tenant, stream, decider_version) DO UPDATE
             SET stream_version = excluded.stream_version, state = excluded.state, saved_at = excluded.saved_at
           WHERE s.stream_version <= excluded.stream_version`,
          [snapshot.stream, snapshot.deciderVersion, snapshot.streamVersion, state],
        );
      } catch (error) {
        throw explainMissingSchema(error, schema);
      }
    },
  };
}
