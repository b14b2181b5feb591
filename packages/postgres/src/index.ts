// @duet/postgres: the event store, snapshots and checkpoints on PostgreSQL (pg) and PGlite,
// one SQL code path for both. Test support (test databases) is in '@duet/postgres/testing'.

export type {
  PostgresCheckpointStore,
  PostgresCheckpointStoreOptions,
} from './checkpoint-store/postgres-checkpoint-store.ts';
export { createPostgresCheckpointStore } from './checkpoint-store/postgres-checkpoint-store.ts';
export { correlatedEvents } from './event-store/correlated-events.ts';
export { LateAppendError } from './event-store/late-append-error.ts';
export type {
  ListStreamsOptions,
  StreamCursor,
  StreamList,
  StreamSummary,
} from './event-store/list-streams.ts';
export { listStreams } from './event-store/list-streams.ts';
export type { RunningTransaction } from './event-store/oldest-running-transaction.ts';
export type {
  OpenPostgresEventStoreOptions,
  PostgresConnectionOptions,
} from './event-store/open-postgres-event-store.ts';
export { openPostgresEventStore } from './event-store/open-postgres-event-store.ts';
export type {
  EventStoreTransaction,
  PostgresEventStore,
} from './event-store/postgres-event-store.ts';
export { createPostgresEventStore } from './event-store/postgres-event-store.ts';
export type {
  GroupCommitOptions,
  PostgresEventStoreOptions,
} from './event-store/postgres-event-store-options.ts';
export type { PGliteDirectoryLock } from './executor/lock-pglite-directory.ts';
export { lockPGliteDirectory, PGLITE_LOCK_FILE } from './executor/lock-pglite-directory.ts';
export type { OpenedPGlite } from './executor/open-pglite.ts';
export { openPGlite } from './executor/open-pglite.ts';
export type { PgExecutorOptions } from './executor/pg-executor.ts';
export { createPgExecutor } from './executor/pg-executor.ts';
export { PGliteDirectoryInUseError } from './executor/pglite-directory-in-use-error.ts';
export type { PGliteLike, PGliteTransactionLike } from './executor/pglite-executor.ts';
export { createPGliteExecutor } from './executor/pglite-executor.ts';
export type {
  NotifyHandler,
  SqlExecutor,
  SqlSession,
  SqlSessions,
  SqlTransaction,
} from './executor/sql-executor.ts';
export type { TenantIsolatedExecutor } from './executor/tenant-isolated-executor.ts';
export {
  CURRENT_TENANT_SQL,
  isolateTenants,
  TENANT_ROLE,
} from './executor/tenant-isolated-executor.ts';
export type { PostgresIdempotencyStoreOptions } from './idempotency/postgres-idempotency-store.ts';
export { createPostgresIdempotencyStore } from './idempotency/postgres-idempotency-store.ts';
export type { PostgresInboxOptions, PostgresStoreInboxOptions } from './inbox/postgres-inbox.ts';
export { createPostgresInbox } from './inbox/postgres-inbox.ts';
export { ALL_MIGRATIONS } from './migrations/all-migrations.ts';
export type { MigrateOptions } from './migrations/migrate.ts';
export { migrate } from './migrations/migrate.ts';
export type { Migration, MigrationTarget } from './migrations/migration.ts';
export type { MigrationSetName } from './migrations/migration-set.ts';
export {
  DEFAULT_PERSONAL_DATA_SCHEMA,
  DEFAULT_PROCESSORS_SCHEMA,
} from './migrations/migration-set.ts';
export { PERSONAL_DATA_MIGRATIONS } from './migrations/personal-data/personal-data-migrations.ts';
export { PROCESSOR_MIGRATIONS } from './migrations/processors/processor-migrations.ts';
export { isCatalogRace, withSchemaLock } from './migrations/with-schema-lock.ts';
export { NotMigratedError } from './not-migrated-error.ts';
export type {
  ForgetPersonalDataOptions,
  ForgetPersonalDataResult,
} from './personal-data/forget-personal-data.ts';
export { forgetPersonalData } from './personal-data/forget-personal-data.ts';
export type {
  PostgresPersonalDataKeys,
  PostgresPersonalDataKeysOptions,
} from './personal-data/postgres-personal-data-keys.ts';
export { createPostgresPersonalDataKeys } from './personal-data/postgres-personal-data-keys.ts';
export { isolateTenantRows, TENANT_COLUMN } from './read-models/tenant-rows.ts';
export { checkSchemaName, DEFAULT_SCHEMA, eventsChannel } from './schema-name.ts';
export type { PostgresSnapshotStoreOptions } from './snapshot-store/postgres-snapshot-store.ts';
export { createPostgresSnapshotStore } from './snapshot-store/postgres-snapshot-store.ts';

// -- processors: projections, reactors, relays --

export type { ProcessorChanges, Processors } from './processors/open-processors.ts';
export { openProcessors } from './processors/open-processors.ts';
export type { ProcessorPause } from './processors/pauses/processor-pauses.ts';
export type {
  BatchReport,
  DeadLetter,
  DeadLetters,
  ProcessorHealth,
  ProcessorsOptions,
  ProjectionEventSource,
  ProjectionFailure,
  ProjectionState,
  ProjectionStatus,
  ReadModel,
} from './processors/processor-types.ts';
export type { RebuildRequest, RebuildRequests } from './processors/rebuild/rebuild-requests.ts';
export type {
  ProcessorReadiness,
  ProcessorReadinessDetail,
  ProcessorReadinessOptions,
} from './processors/status/processor-readiness.ts';
export { processorReadiness } from './processors/status/processor-readiness.ts';
export { projectionTables } from './read-models/projection-tables.ts';
export { quoteIdentifier } from './read-models/quote-identifier.ts';
