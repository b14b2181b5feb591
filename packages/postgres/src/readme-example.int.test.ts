// The README's examples, run as tests so they cannot rot: README.md shows the regions.
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
// Importing it runs the README's first example (on its own PGlite, closed at its end).
import { head, ItemAdded, position, quantities } from '../examples/readme-example.ts';
import { createPostgresEventStore } from './event-store/postgres-event-store.ts';
import { createPgExecutor } from './executor/pg-executor.ts';
import { migrate } from './migrations/migrate.ts';

it('given the README example, then the cart reads back in order and the head is its last append', () => {
  expect(quantities).toEqual([2, 1]);
  expect(head).toBe(position);
});

const databaseUrl = inject('databaseUrl');
describe.skipIf(databaseUrl === null)('the README example on PostgreSQL', () => {
  it('given PostgreSQL, when the executor is swapped, then the same store appends and reads there', async () => {
    const connectionString = databaseUrl!;
    // #region on-postgres
    await using executor = createPgExecutor({ connectionString }); // e.g. process.env.DATABASE_URL
    // #endregion on-postgres
    const schema = `t_${randomBytes(6).toString('hex')}`; // each run its own, dropped after
    try {
      await migrate(executor, { schema });
      const store = createPostgresEventStore({ executor, schema });
      await store.append('cart-1', [ItemAdded.create({ sku: 'apple', quantity: 2 })]);
      const read: unknown[] = [];
      for await (const event of store.readStream('cart-1')) read.push(event.data);
      await store.close();
      expect(read).toEqual([{ sku: 'apple', quantity: 2 }]);
    } finally {
      await executor.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
