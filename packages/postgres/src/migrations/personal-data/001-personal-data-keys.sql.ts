import type { Migration } from '../migration.ts';

/**
 * One AES-256 key per data subject. Forgetting sets `key` to NULL and stamps
 * `forgotten_at`: the row stays as a tombstone, so the subject never gets a new key and
 * the erasure's time is kept. The CHECK keeps a row from being both.
 */
export const personalDataKeysMigration: Migration = {
  version: 1,
  name: 'personal-data-keys',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.personal_data_keys (
      subject text COLLATE "C" PRIMARY KEY,
      key bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      forgotten_at timestamptz,
      CHECK ((key IS NULL) = (forgotten_at IS NOT NULL)),
      CHECK (key IS NULL OR octet_length(key) = 32)
    )`,
  ],
};
