import type { SqlExecutor } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';

/**
 * Creates the runner's own tables in the read-model database, if missing. They live beside
 * the read models (not in the event store's migrations) because the checkpoint must move
 * in the same transaction as the read model, and the read model may be another database.
 * Idempotent; an advisory lock keeps two processes from racing on CREATE.
 *
 * - `projections`: one row per projection name; `active_version` is what queries read.
 * - `checkpoints`: one row per (name, version, partition): its position in the global
 *   order, its state, the events it applied and the error that stopped it.
 * - `dead_letters`: events that failed under the 'skip' or 'park' policy.
 * - `owners`: which runner works a partition now, renewed every heartbeat; a row past
 *   `expires_at` belongs to a runner that died (status says 'stopped').
 * - `reactor_inbox`: the events each reactor version has handled (see reactor-inbox.ts).
 * - `rebuild_requests`: rebuilds asked of whichever runner owns the projection.
 *
 * @example
 * await ensureRunnerTables(readModels, 'duet_projections', 'read_models');
 */
export async function ensureRunnerTables(
  executor: SqlExecutor,
  schema: string,
  readModelSchema: string,
): Promise<void> {
  const s = quoteIdentifier(schema);
  await executor.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `duet.projections.setup.${schema}`,
    ]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(readModelSchema)}`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.projections (
      name text PRIMARY KEY,
      active_version integer NOT NULL,
      switched_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Position tokens compare as text; "C" keeps any locale from reordering them.
    await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
      name text NOT NULL,
      version integer NOT NULL,
      partition integer NOT NULL,
      partitions integer NOT NULL,
      position text COLLATE "C" NOT NULL,
      state text NOT NULL,
      applied bigint NOT NULL DEFAULT 0,
      error jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version, partition)
    )`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.dead_letters (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      version integer NOT NULL,
      partition integer NOT NULL,
      position text COLLATE "C" NOT NULL,
      event_id text NOT NULL,
      stream text NOT NULL,
      type text NOT NULL,
      event jsonb NOT NULL,
      error text NOT NULL,
      parked boolean NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await tx.query(
      `CREATE INDEX IF NOT EXISTS dead_letters_stream ON ${s}.dead_letters (name, version, stream)`,
    );
    // Progress is kept here, not in checkpoints: a heartbeat must not wait on batches' row locks.
    await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.owners (
      name text NOT NULL,
      version integer NOT NULL,
      partition integer NOT NULL,
      owner text NOT NULL,
      batch_size integer NOT NULL,
      events_done bigint NOT NULL,
      events_per_sec float8 NOT NULL,
      last_error text,
      heartbeat_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (name, version, partition)
    )`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.reactor_inbox (
      name text NOT NULL,
      version integer NOT NULL,
      event_id text NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version, event_id)
    )`);
    await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.rebuild_requests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      from_position text COLLATE "C",
      from_time timestamptz,
      requested_at timestamptz NOT NULL DEFAULT now(),
      done_at timestamptz,
      done_by text,
      error text
    )`);
  });
}

/** The NOTIFY channel checkpoint moves wake read-your-writes waiters on. */
export function checkpointsChannel(schema: string): string {
  return `${schema}_checkpoints`;
}

/** The NOTIFY channel that tells runners a rebuild was requested (payload: the projection's name). */
export function controlChannel(schema: string): string {
  return `${schema}_control`;
}
