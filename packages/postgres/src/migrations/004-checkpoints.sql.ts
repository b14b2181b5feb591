import type { Migration } from './migration.ts';

/**
 * Subscribers' positions. A position token's text order is its numeric order (16 hex
 * digits per half); the "C" collation keeps every locale from reordering it.
 */
export const checkpointsMigration: Migration = {
  version: 4,
  name: 'checkpoints',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.checkpoints (
      name text PRIMARY KEY,
      position text COLLATE "C" NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  ],
};
