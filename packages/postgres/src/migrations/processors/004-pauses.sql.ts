import type { Migration } from '../migration.ts';

/**
 * Pauses: a processor name paused by an operator (`Processors.pause`) keeps `paused_at`
 * and who asked until it is resumed. On the name's row, so every version and every
 * runner of it (in any process) sees one answer.
 */
export const pausesMigration: Migration = {
  version: 4,
  name: 'pauses',
  statements: ({ schema: s }) => [
    `ALTER TABLE ${s}.projections ADD COLUMN paused_at timestamptz, ADD COLUMN paused_by text`,
  ],
};
