import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';

// The `projections` table: one row per processor name, with the version queries read.
// A share lock on the row is what a batch holds; an update lock is what a switch, a
// rebuild or a dead-letter retry takes to wait for the batches in flight and hold new ones.

type Sql = Pick<SqlTransaction, 'query'>;

/** Registers a name with its first version as the active one; nothing when it exists. */
export async function insertProcessorName(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO ${quoteIdentifier(schema)}.projections (name, active_version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    [name, version],
  );
}

/** The active version of `name` (undefined when never registered), optionally locking its row. */
export async function readActiveVersion(
  sql: Sql,
  schema: string,
  name: string,
  lock: 'none' | 'share' | 'update' = 'none',
): Promise<number | undefined> {
  const suffix = lock === 'share' ? ' FOR SHARE' : lock === 'update' ? ' FOR UPDATE' : '';
  const { rows } = await sql.query<{ active_version: number }>(
    `SELECT active_version FROM ${quoteIdentifier(schema)}.projections WHERE name = $1${suffix}`,
    [name],
  );
  return rows[0]?.active_version;
}

/**
 * The active version of `name` and whether an operator paused it, share-locking its row:
 * a batch reads it in its transaction, so a pause that committed first stops the batch,
 * and a pause or a switch waits for a batch in flight.
 */
export async function readBatchFence(
  sql: Sql,
  schema: string,
  name: string,
): Promise<{ readonly activeVersion: number | undefined; readonly paused: boolean }> {
  const { rows } = await sql.query<{ active_version: number; paused: boolean }>(
    `SELECT active_version, paused_at IS NOT NULL AS paused
       FROM ${quoteIdentifier(schema)}.projections WHERE name = $1 FOR SHARE`,
    [name],
  );
  return { activeVersion: rows[0]?.active_version, paused: rows[0]?.paused === true };
}

/** Locks the names' rows (in the order given: sort them to avoid deadlocks). */
export async function lockProcessorNames(
  tx: Sql,
  schema: string,
  names: readonly string[],
): Promise<void> {
  for (const name of names) {
    await tx.query(
      `SELECT 1 FROM ${quoteIdentifier(schema)}.projections WHERE name = $1 FOR UPDATE`,
      [name],
    );
  }
}

/** Switches queries to `version`. */
export async function setActiveVersion(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<void> {
  await tx.query(
    `UPDATE ${quoteIdentifier(schema)}.projections SET active_version = $2, switched_at = now() WHERE name = $1`,
    [name, version],
  );
}

/** A paused name, as the registry keeps it. */
export interface PauseRow {
  readonly name: string;
  readonly paused_at: string;
  readonly paused_by: string | null;
}

const pausedAt = `to_char(paused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Pauses `name` (keeping the first pause's time and author when it already is) or, with
 * `by` null, resumes it; resolves to the row after, or undefined when no such name is
 * registered.
 */
export async function setPaused(
  sql: Sql,
  schema: string,
  name: string,
  pause: { readonly by: string | null } | null,
): Promise<{ readonly paused_at: string | null; readonly paused_by: string | null } | undefined> {
  const { rows } = await sql.query<{ paused_at: string | null; paused_by: string | null }>(
    pause
      ? `UPDATE ${quoteIdentifier(schema)}.projections
            SET paused_at = coalesce(paused_at, now()),
                paused_by = CASE WHEN paused_at IS NULL THEN $2 ELSE paused_by END
          WHERE name = $1 RETURNING ${pausedAt} AS paused_at, paused_by`
      : `UPDATE ${quoteIdentifier(schema)}.projections SET paused_at = NULL, paused_by = NULL
          WHERE name = $1 RETURNING NULL::text AS paused_at, NULL::text AS paused_by`,
    pause ? [name, pause.by] : [name],
  );
  return rows[0];
}

/** Every paused name. */
export async function readPauses(sql: Sql, schema: string): Promise<PauseRow[]> {
  const { rows } = await sql.query<PauseRow>(
    `SELECT name, ${pausedAt} AS paused_at, paused_by FROM ${quoteIdentifier(schema)}.projections
      WHERE paused_at IS NOT NULL ORDER BY name`,
  );
  return rows;
}
