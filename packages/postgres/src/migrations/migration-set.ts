import { ALL_MIGRATIONS } from './all-migrations.ts';
import type { Migration } from './migration.ts';
import { PERSONAL_DATA_MIGRATIONS } from './personal-data/personal-data-migrations.ts';
import { PROCESSOR_MIGRATIONS } from './processors/processor-migrations.ts';

/**
 * Which of Duet's tables a schema holds: `'store'` (events, streams, snapshots,
 * checkpoints of hand-written subscribers, idempotency keys) in the event store's
 * database, or `'processors'` (the processor runner's checkpoints, status, dead letters,
 * reactor inboxes, rebuild requests) in the read-model database, or `'personal-data'`
 * (the key table that encrypts personal fields) in the event store's database.
 */
export type MigrationSetName = 'store' | 'processors' | 'personal-data';

/** A set's migrations, the table that records which ran, and its default schema. */
export interface MigrationSet {
  readonly name: MigrationSetName;
  readonly migrations: readonly Migration[];
  /**
   * Each set has its own ledger table. The sets still need schemas of their own: both
   * have a `checkpoints` table (the store's is the `CheckpointStore` port's).
   */
  readonly ledger: string;
  readonly defaultSchema: string;
}

/** The personal data key table's schema when none is given. */
export const DEFAULT_PERSONAL_DATA_SCHEMA = 'duet_personal_data';

/** The processor runner's schema when none is given. */
export const DEFAULT_PROCESSORS_SCHEMA = 'duet_projections';

export const MIGRATION_SETS: Readonly<Record<MigrationSetName, MigrationSet>> = {
  store: { name: 'store', migrations: ALL_MIGRATIONS, ledger: 'migrations', defaultSchema: 'duet' },
  processors: {
    name: 'processors',
    migrations: PROCESSOR_MIGRATIONS,
    ledger: 'processor_migrations',
    defaultSchema: DEFAULT_PROCESSORS_SCHEMA,
  },
  'personal-data': {
    name: 'personal-data',
    migrations: PERSONAL_DATA_MIGRATIONS,
    ledger: 'personal_data_migrations',
    defaultSchema: DEFAULT_PERSONAL_DATA_SCHEMA,
  },
};

/** A migration as `migrate` reports it: `006-idempotency-keys`. */
export function migrationLabel(migration: Migration): string {
  return `${String(migration.version).padStart(3, '0')}-${migration.name}`;
}
