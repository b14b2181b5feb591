import { appendEventsFunction } from './002-append-events.sql.ts';
import type { Migration } from './migration.ts';

/**
 * Idempotency keys completed in the append's own transaction (issue 13, S3): before, the
 * HTTP edge stored a key's result after the append had committed, so a crash or a lost
 * connection between the two let a retry run the command again. `append_events` now takes
 * an optional `idempotencyKey` per append and completes that key with the events; each
 * key row keeps its result's lifetime (`ttl_ms`, set by `claim`) for that.
 */
export const atomicIdempotencyKeysMigration: Migration = {
  version: 7,
  name: 'atomic-idempotency-keys',
  statements: (target) => [
    `ALTER TABLE ${target.schema}.idempotency_keys ADD COLUMN IF NOT EXISTS ttl_ms bigint`,
    appendEventsFunction(target, { idempotencyKeys: true, tenants: false, notify: true }),
  ],
};
