import { ValidationError } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import { createPgExecutor } from '../executor/pg-executor.ts';
import { NotMigratedError } from '../not-migrated-error.ts';
import { openTestDatabase } from '../testing/index.ts';
import { ALL_MIGRATIONS } from './all-migrations.ts';
import { migrate } from './migrate.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL migration tests: not reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

const everyMigration = ALL_MIGRATIONS.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`);

describe.each(backends)('migrate on $kind', (backend) => {
  it('given an empty schema, when migrating twice, then the first run applies every migration and the second none', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    expect(await migrate(db.executor, { schema: db.schema })).toEqual({ applied: everyMigration });
    expect(await migrate(db.executor, { schema: db.schema })).toEqual({ applied: [] });
    const { rows } = await db.executor.query<{ version: number }>(
      `SELECT version FROM "${db.schema}".migrations ORDER BY version`,
    );
    expect(rows.map((row) => row.version)).toEqual(ALL_MIGRATIONS.map((m) => m.version));
  });

  it('given an empty schema, when two runs start at once, then they serialize and each migration applies once', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    const [first, second] = await Promise.all([
      migrate(db.executor, { schema: db.schema }),
      migrate(db.executor, { schema: db.schema }),
    ]);
    expect([...first.applied, ...second.applied].sort()).toEqual(everyMigration);
  });

  it.runIf(backend.kind === 'postgres')(
    'given four processes (each its own connections) migrating one fresh schema at once, then every run succeeds and each migration applies once',
    async () => {
      // Each backend caches "no such schema" from its first look and does not re-read it
      // after the advisory lock: CREATE SCHEMA IF NOT EXISTS then failed with 23505 on
      // pg_namespace for every run but the first (seen with the shop's services starting
      // together). Several rounds, as it is a race.
      const executors = Array.from({ length: 4 }, () =>
        createPgExecutor({ connectionString: databaseUrl as string, max: 2 }),
      );
      await using db = await openTestDatabase({ ...backend, migrate: false });
      try {
        for (let round = 0; round < 5; round++) {
          const schema = `${db.schema}_${round}`;
          const runs = await Promise.all(
            executors.map((executor) => migrate(executor, { schema })),
          );
          expect(runs.flatMap((run) => run.applied).sort()).toEqual(everyMigration);
          await db.executor.query(`DROP SCHEMA "${schema}" CASCADE`);
        }
      } finally {
        for (const executor of executors) await executor.close();
      }
    },
  );

  it('given a migration that fails half-way, when migrating, then the earlier ones stay and nothing of it remains', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    const broken = {
      version: 99,
      name: 'broken',
      statements: ({ schema }: { schema: string }) => [
        `CREATE TABLE ${schema}.half_done (id integer)`,
        'SELECT no_such_function()',
      ],
    };
    await expect(
      migrate(db.executor, { schema: db.schema }, [...ALL_MIGRATIONS, broken]),
    ).rejects.toThrow();
    const { rows } = await db.executor.query<{ version: number; half: string | null }>(
      `SELECT max(version) AS version, to_regclass($1)::text AS half FROM "${db.schema}".migrations`,
      [`"${db.schema}".half_done`],
    );
    expect(rows[0]).toEqual({ version: ALL_MIGRATIONS.at(-1)?.version, half: null });
  });

  it('given a bad schema name, when migrating, then ValidationError and nothing is created', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    for (const schema of ['Bad', 'x; drop table y', 'pg_catalog', '', 'a'.repeat(41)]) {
      await expect(migrate(db.executor, { schema })).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('given a schema never migrated, when appending, then NotMigratedError says to migrate', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const error = await store.append('a-1', [{ type: 'X', data: 1 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotMigratedError);
    expect((error as NotMigratedError).message).toContain('migrate');
    await store.close();
  });
});
