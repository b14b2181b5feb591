import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import type { PartitionKey } from './checkpoints-table.ts';

// The `owners` table: which runner works a partition now, with its batch size and
// progress, until `expires_at`; a record not renewed counts as a stopped runner.

type Sql = Pick<SqlTransaction, 'query'>;

/** One partition as its runner reports it. */
export interface HeartbeatRow extends PartitionKey {
  readonly batch_size: number;
  readonly events_done: number;
  readonly events_per_sec: number;
  readonly last_error: string | null;
}

/** Renews `owner`'s record of each partition for `ttlMs`, in one multi-row upsert. */
export async function recordHeartbeat(
  sql: Sql,
  schema: string,
  owner: string,
  ttlMs: number,
  rows: readonly HeartbeatRow[],
): Promise<void> {
  await sql.query(
    `INSERT INTO ${quoteIdentifier(schema)}.owners AS o
       (name, version, partition, owner, batch_size, events_done, events_per_sec, last_error,
        heartbeat_at, expires_at)
     SELECT x.name, x.version, x.partition, $1, x.batch_size, x.events_done, x.events_per_sec,
            x.last_error, now(), now() + $2 * interval '1 millisecond'
       FROM jsonb_to_recordset($3::text::jsonb) AS x(name text, version integer, partition integer,
            batch_size integer, events_done bigint, events_per_sec float8, last_error text)
     ON CONFLICT (name, version, partition) DO UPDATE
        SET owner = excluded.owner, batch_size = excluded.batch_size,
            events_done = excluded.events_done, events_per_sec = excluded.events_per_sec,
            last_error = excluded.last_error,
            heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
    [owner, ttlMs, JSON.stringify(rows)],
  );
}

/** Deletes `owner`'s record of one partition (another runner's stays). */
export async function deleteOwnerRecord(
  sql: Sql,
  schema: string,
  owner: string,
  key: PartitionKey,
): Promise<void> {
  await sql.query(
    `DELETE FROM ${quoteIdentifier(schema)}.owners WHERE name = $1 AND version = $2 AND partition = $3 AND owner = $4`,
    [key.name, key.version, key.partition, owner],
  );
}

/** Deletes every record of `owner`. */
export async function deleteOwnerRecords(sql: Sql, schema: string, owner: string): Promise<void> {
  await sql.query(`DELETE FROM ${quoteIdentifier(schema)}.owners WHERE owner = $1`, [owner]);
}
