import { ValidationError } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
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
