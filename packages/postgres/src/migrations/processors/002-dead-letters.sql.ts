import type { Migration } from '../migration.ts';

/**
 * Events that failed under the 'skip' or 'park' policy, with the error; the index serves
 * the parked-stream check every batch of a 'park' processor makes.
 */
export const deadLettersMigration: Migration = {
  version: 2,
  name: 'dead-letters',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.dead_letters (
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
    )`,
    `CREATE INDEX dead_letters_stream ON ${s}.dead_letters (name, version, stream)`,
  ],
};
