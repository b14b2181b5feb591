import { resolve } from 'node:path';
import { createCommandBus, createEventRegistry } from '@duet/core';
import { createPostgresEventStore, createPostgresSnapshotStore, migrate } from '@duet/postgres';
import { openDatabase } from './database/open-database.ts';
import { runOrderDemo } from './demo/run-order-demo.ts';
import { orderEvents } from './orders/order-events.ts';
import { orderHandler } from './orders/order-handler.ts';

// `npm start`: the shop's orders service on embedded PGlite in apps/shop/.data (or on
// PostgreSQL when DATABASE_URL is set), driven through the command bus.
const dataDir = resolve(import.meta.dirname, '..', '.data', 'pglite');
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir });
const schema = 'orders';
try {
  console.log(`duet shop: orders service on ${database.description}, schema ${schema}`);
  const { applied } = await migrate(database.executor, { schema });
  if (applied.length > 0) console.log(`migrated: ${applied.join(', ')}`);
  const store = createPostgresEventStore({
    executor: database.executor,
    schema,
    events: createEventRegistry(orderEvents),
  });
  const bus = createCommandBus({
    store,
    handlers: [orderHandler],
    snapshots: createPostgresSnapshotStore({ executor: database.executor, schema }),
  });
  await runOrderDemo(bus, store, (line) => console.log(line));
  await store.close();
} finally {
  await database.close();
}
