import type { Migration } from './migration.ts';

/**
 * Consumers' inboxes: the message ids each consumer handled (written in the same
 * transaction as the handler's effects, so a redelivery changes nothing), and per source
 * stream the highest version handled (so a stream's messages take effect in order).
 */
export const inboxMigration: Migration = {
  version: 5,
  name: 'inbox',
  statements: ({ schema: s }) => [
    `CREATE TABLE ${s}.inbox (
      consumer text NOT NULL,
      message_id text NOT NULL,
      stream text NOT NULL,
      stream_version integer NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`,
    `CREATE TABLE ${s}.inbox_streams (
      consumer text NOT NULL,
      stream text NOT NULL,
      version integer NOT NULL,
      PRIMARY KEY (consumer, stream)
    )`,
  ],
};
