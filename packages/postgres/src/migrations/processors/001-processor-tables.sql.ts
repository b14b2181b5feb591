import type { Migration } from '../migration.ts';

/**
 * The processor runner's own tables, in the read-model database (which may be another
 * database than the event store's): a checkpoint must move in the same transaction as
 * the read model it describes.
 *
 * - `projections`: one row per processor name; `active_version` is the one queries read.
 * - `checkpoints`: one row per (name, version, partition): its position in the global
 *   order, its state, the events it handled and the error that stopped it. Position
 *   tokens compare as text; "C" keeps any locale from reordering them.
 * - `owners`: which runner works a partition now, renewed every heartbeat; a row past
 *   `expires_at` belongs to a runner that died (status says 'stopped'). Kept apart from
 *   checkpoints so a heartbeat never waits on a batch's row lock.
 * - `rebuild_requests`: rebuilds asked of whichever runner owns the processor.
 */
export const processorTablesMigration: Migration = {
  version: 1,
  name: 'processor-tables',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.projections (
      name text PRIMARY KEY,
      active_version integer NOT NULL,
      switched_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE ${s}.checkpoints (
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
    )`,
    `CREATE TABLE ${s}.owners (
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
    )`,
    `CREATE TABLE ${s}.rebuild_requests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      from_position text COLLATE "C",
      from_time timestamptz,
      requested_at timestamptz NOT NULL DEFAULT now(),
      done_at timestamptz,
      done_by text,
      error text
    )`,
  ],
};
