import { appendEventsFunction } from './002-append-events.sql.ts';
import type { Migration } from './migration.ts';

/**
 * `append_events_quiet`: `append_events` without its NOTIFY (issue 14). PostgreSQL commits
 * notifying transactions one at a time, on one database-wide lock held across the
 * commit's flush, so a NOTIFY inside every append kept the appends of several processes
 * from committing side by side. On PostgreSQL the store calls this function and notifies
 * after the commit instead, once per process at a time (commit-notifier.ts). On PGlite
 * (one connection, commits one at a time anyway) the store keeps calling `append_events`,
 * whose NOTIFY costs no extra statement. `append_events` stays as it was, so a process
 * still on the code from before (a rolling upgrade) still wakes readers.
 */
export const notifyAfterCommitMigration: Migration = {
  version: 9,
  name: 'notify-after-commit',
  statements: (target) => [
    appendEventsFunction(target, { idempotencyKeys: true, tenants: true, notify: false }),
  ],
};
