import type { Migration } from './migration.ts';

/** The event log and the per-stream version table that makes expected-version checks race-free. */
export const eventsMigration: Migration = {
  version: 1,
  name: 'events',
  statements: ({ schema: s }) => [
    // One row per stream: the conditional upsert on it is the expected-version check.
    `CREATE TABLE ${s}.streams (
      stream text PRIMARY KEY,
      version bigint NOT NULL CHECK (version > 0),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    // tx_id records the writing transaction: readers order by (tx_id, seq) and stop below
    // the oldest running transaction, so a late commit is never skipped.
    `CREATE TABLE ${s}.events (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      id uuid PRIMARY KEY,
      stream text NOT NULL,
      stream_version bigint NOT NULL CHECK (stream_version > 0),
      category text NOT NULL,
      type text NOT NULL,
      schema_version integer NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL,
      -- Where the event sits in the append that stored it: a retry is idempotent only
      -- when it resends that whole append, no more and no less.
      append_index integer NOT NULL,
      append_size integer NOT NULL,
      UNIQUE (stream, stream_version)
    )`,
    `CREATE INDEX events_tx_id_seq ON ${s}.events (tx_id, seq)`,
    `CREATE INDEX events_category_tx_id_seq ON ${s}.events (category, tx_id, seq)`,
  ],
};
