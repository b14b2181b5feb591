import { defineProjection, ValidationError } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresIdempotencyStore } from '../idempotency/postgres-idempotency-store.ts';
import { NotMigratedError } from '../not-migrated-error.ts';
import { openProcessors } from '../processors/open-processors.ts';
import { openTestDatabase } from '../testing/index.ts';
import { migrate } from './migrate.ts';
import { PROCESSOR_MIGRATIONS } from './processors/processor-migrations.ts';

// Issue #6: every table Duet creates comes from numbered migrations; nothing on first use.

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

const projection = defineProjection({ name: 'noop', events: 'all', apply: async () => {} });

describe.each(backends)('processor migrations on $kind', (backend) => {
  it("given a schema of its own, when the processors' set is migrated twice, then the first run applies it and the second nothing; the store's schema is refused", async () => {
    await using db = await openTestDatabase(backend);
    const schema = `${db.schema}_p`;
    const labels = PROCESSOR_MIGRATIONS.map(
      (m) => `${String(m.version).padStart(3, '0')}-${m.name}`,
    );
    try {
      expect(await migrate(db.executor, { schema, set: 'processors' })).toEqual({
        applied: labels,
      });
      expect(await migrate(db.executor, { schema, set: 'processors' })).toEqual({ applied: [] });
      await expect(migrate(db.executor, { schema: db.schema, set: 'processors' })).rejects.toThrow(
        /need a schema of their own/,
      );
      await expect(migrate(db.executor, { schema })).rejects.toBeInstanceOf(ValidationError);
    } finally {
      await db.executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('given an unmigrated runner schema, when a runner starts, then NotMigratedError says what to run and nothing is created', async () => {
    await using db = await openTestDatabase(backend);
    const schema = `${db.schema}_p`;
    await using runner = openProcessors({
      store: { executor: db.executor, schema: db.schema },
      schema,
      processors: [projection],
    });
    const error = await runner.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotMigratedError);
    expect((error as NotMigratedError).message).toContain(
      `migrate(readModels, { schema: '${schema}', set: 'processors' })`,
    );
    const { rows } = await db.executor.query(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    expect(rows).toEqual([]);
  });

  it('given an unmigrated schema, when an idempotency key is claimed, then NotMigratedError, and no table appears', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    const store = createPostgresIdempotencyStore({ executor: db.executor, schema: db.schema });
    await expect(store.claim('orders', 'k1', 'h1')).rejects.toBeInstanceOf(NotMigratedError);
  });
});
