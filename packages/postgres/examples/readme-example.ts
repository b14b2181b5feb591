// The README's example, as a user writes it: README.md shows the region, and
// src/readme-example.int.test.ts imports this module (which runs it) and checks the result.
// #region readme
import { createEventRegistry, defineEvent, type Schema } from '@duet/core';
import { createPGliteExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import { PGlite } from '@electric-sql/pglite';

// Any Standard Schema validator works (zod 4, valibot, ...); a hand-written one here.
const itemSchema: Schema<{ sku: string; quantity: number }> = {
  '~standard': {
    version: 1,
    vendor: 'example',
    validate: (value) => {
      const item = value as { sku?: unknown; quantity?: unknown };
      return typeof item?.sku === 'string' && Number.isInteger(item.quantity)
        ? { value: item as { sku: string; quantity: number } }
        : { issues: [{ message: 'expected { sku, quantity }' }] };
    },
  },
};
const ItemAdded = defineEvent('ItemAdded', itemSchema);

const db = await PGlite.create(); // or createPgExecutor({ connectionString }) on PostgreSQL
const executor = createPGliteExecutor(db);
await migrate(executor, { schema: 'shop' });
const store = createPostgresEventStore({
  executor,
  schema: 'shop',
  events: createEventRegistry([ItemAdded]),
});

await store.append('cart-1', [ItemAdded.create({ sku: 'apple', quantity: 2 })], {
  expectedVersion: 'no_stream',
});
const { position } = await store.append(
  'cart-1',
  [ItemAdded.create({ sku: 'pear', quantity: 1 })],
  { expectedVersion: 1 },
);

const quantities: number[] = [];
for await (const event of store.readStream('cart-1')) {
  quantities.push((event.data as { quantity: number }).quantity);
}
const head = await store.headPosition(); // === position: nothing else is running

await store.close();
await db.close();

// #endregion readme

export { head, ItemAdded, position, quantities };
