import { appendEventsFunction } from './002-append-events.sql.ts';
import type { Migration } from './migration.ts';

/**
 * `append_events` without its NOTIFY (issue 14): PostgreSQL commits notifying
 * transactions one at a time, on one database-wide lock held across the commit's flush,
 * so a NOTIFY inside every append kept the appends of several processes from committing
 * side by side. The store now notifies after the commit, once per process at a time
 * (commit-notifier.ts). A process still on the code from before (rolling upgrade) stops
 * waking readers until it is upgraded; they poll meanwhile and miss nothing.
 */
export const notifyAfterCommitMigration: Migration = {
  version: 9,
  name: 'notify-after-commit',
  statements: (target) => [
    appendEventsFunction(target, { idempotencyKeys: true, tenants: true, notify: false }),
  ],
};
