// @duet/postgres/testing: fresh databases for tests, on PostgreSQL or a shared PGlite.

export type { TestDatabase, TestDatabaseOptions } from './open-test-database.ts';
export { closeSharedPGlite, openTestDatabase, testDatabaseUrl } from './open-test-database.ts';
export type { LongStreamSeed } from './seed-long-stream.ts';
export { seedLongStream } from './seed-long-stream.ts';

// -- projection test kit --

export type {
  ProjectionSpec,
  ProjectionSpecThen,
  SpecEvent,
  SpecQuery,
} from './projection-spec.ts';
export { projectionSpec } from './projection-spec.ts';

// -- fault injection --

export type { PgFaultProxy } from './pg-fault-proxy.ts';
export { startPgFaultProxy } from './pg-fault-proxy.ts';
