import type { Migration } from './migration.ts';

/**
 * Idempotency keys of the HTTP edge (`createPostgresIdempotencyStore`). `expires_at` is
 * the lock's end while pending and the result's end once completed, so one comparison
 * with `now()` answers "may this key be taken?". Numbered 006: 005 is the NATS inbox.
 */
export const idempotencyKeysMigration: Migration = {
  version: 6,
  name: 'idempotency-keys',
  statements: ({ schema: s }) => [
    // IF NOT EXISTS: stores before this migration created the table on first use.
    `CREATE TABLE IF NOT EXISTS ${s}.idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'completed')),
      token text NOT NULL,
      result jsonb,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    )`,
  ],
};
