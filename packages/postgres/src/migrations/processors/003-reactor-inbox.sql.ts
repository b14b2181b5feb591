import type { Migration } from '../migration.ts';

/**
 * The events each reactor version has handled: a row commits with the handler's effects
 * and the checkpoint, so a replay (a rebuild, a dead-letter retry) never handles an event
 * twice. See processors/runner/handle-with-inbox.ts.
 */
export const reactorInboxMigration: Migration = {
  version: 3,
  name: 'reactor-inbox',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.reactor_inbox (
      name text NOT NULL,
      version integer NOT NULL,
      event_id text NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version, event_id)
    )`,
  ],
};
