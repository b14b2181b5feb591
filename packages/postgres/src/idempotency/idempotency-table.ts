/**
 * The idempotency table, created on a store's first use rather than by a migration: it is
 * optional (only services that take Idempotency-Key headers need it) and every statement
 * is idempotent. `expires_at` is the lock's end while pending and the result's end once
 * completed, so one comparison with `now()` answers "may this key be taken?".
 */
export function idempotencyTableStatements(schema: string): readonly string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    `CREATE TABLE IF NOT EXISTS "${schema}".idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'completed')),
      token text NOT NULL,
      result jsonb,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    )`,
  ];
}
