// @duet/postgres/testing: fresh databases for tests, on PostgreSQL or a shared PGlite.

export type { TestDatabase, TestDatabaseOptions } from './open-test-database.ts';
export { openTestDatabase, testDatabaseUrl } from './open-test-database.ts';
