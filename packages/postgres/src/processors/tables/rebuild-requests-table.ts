import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import { controlChannel } from './notify-channels.ts';

// The `rebuild_requests` table: rebuilds asked of whichever runner works the processor;
// `done_at` set when one took it (with `error` when it could not perform it).

type Sql = Pick<SqlTransaction, 'query'>;

/** A request as stored. */
export interface RebuildRequestRow {
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

const table = (schema: string) => `${quoteIdentifier(schema)}.rebuild_requests`;

/** Records a request and NOTIFYs the runners (delivered at commit, so they find the row). */
export async function insertRebuildRequest(
  tx: Sql,
  schema: string,
  name: string,
  from: { readonly position: string | null; readonly time: string | null },
): Promise<RebuildRequestRow> {
  const { rows } = await tx.query<RebuildRequestRow>(
    `INSERT INTO ${table(schema)} (name, from_position, from_time)
     VALUES ($1, $2, $3::timestamptz) RETURNING ${columns}`,
    [name, from.position, from.time],
  );
  await tx.query('SELECT pg_notify($1, $2)', [controlChannel(schema), name]);
  return rows[0]!;
}

/** The request with this id (digits), or undefined. */
export async function readRebuildRequest(
  sql: Sql,
  schema: string,
  id: string,
): Promise<RebuildRequestRow | undefined> {
  const { rows } = await sql.query<RebuildRequestRow>(
    `SELECT ${columns} FROM ${table(schema)} WHERE id = $1::bigint`,
    [id],
  );
  return rows[0];
}

/** Deletes a request no runner has taken; false when one took it (or it is unknown). */
export async function deletePendingRebuildRequest(
  sql: Sql,
  schema: string,
  id: string,
): Promise<boolean> {
  const { rows } = await sql.query(
    `DELETE FROM ${table(schema)} WHERE id = $1::bigint AND done_at IS NULL RETURNING 1`,
    [id],
  );
  return rows.length > 0;
}

/** The oldest pending request for one of `names`, with where to replay from. */
export async function readNextRebuildRequest(
  sql: Sql,
  schema: string,
  names: readonly string[],
): Promise<
  { id: string; name: string; from_position: string | null; from_time: string | null } | undefined
> {
  const { rows } = await sql.query<{
    id: string;
    name: string;
    from_position: string | null;
    from_time: string | null;
  }>(
    `SELECT id::text AS id, name, from_position, from_time::text AS from_time FROM ${table(schema)}
      WHERE done_at IS NULL AND name = ANY($1::text[]) ORDER BY id LIMIT 1`,
    [names],
  );
  return rows[0];
}

/**
 * Marks a pending request done by `owner`, in the caller's transaction; false when it is
 * gone or another runner holds it (SKIP LOCKED: never wait for a rival).
 */
export async function takeRebuildRequest(
  tx: Sql,
  schema: string,
  id: string,
  owner: string,
): Promise<boolean> {
  const { rows } = await tx.query(
    `UPDATE ${table(schema)} SET done_at = now(), done_by = $2
      WHERE id = (SELECT id FROM ${table(schema)}
                   WHERE id = $1::bigint AND done_at IS NULL FOR UPDATE SKIP LOCKED)
     RETURNING 1`,
    [id, owner],
  );
  return rows.length > 0;
}

/** Marks a pending request failed by `owner`, with the reason. */
export async function failRebuildRequest(
  sql: Sql,
  schema: string,
  id: string,
  owner: string,
  error: string,
): Promise<void> {
  await sql.query(
    `UPDATE ${table(schema)} SET done_at = now(), done_by = $2, error = $3 WHERE id = $1::bigint AND done_at IS NULL`,
    [id, owner, error],
  );
}
