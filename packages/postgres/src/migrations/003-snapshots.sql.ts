import type { Migration } from './migration.ts';

/** Deciders' saved states, one per stream and decider version. */
export const snapshotsMigration: Migration = {
  version: 3,
  name: 'snapshots',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.snapshots (
      stream text NOT NULL,
      decider_version integer NOT NULL,
      stream_version bigint NOT NULL,
      state jsonb NOT NULL,
      saved_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (stream, decider_version)
    )`,
  ],
};
