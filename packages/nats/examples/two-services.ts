// Two services that talk through events: "orders" publishes OrderPlaced as an integration
// event; "billing" consumes it and writes an invoice, once, in its own schema. The docs
// (docs/messaging.md, packages/nats/README.md) show regions of this file;
// two-services.int.test.ts runs it on NATS and on the in-process transport.
import {
  createIntegrationConsumer,
  createRelay,
  defineContracts,
  defineEvent,
  defineIntegrationEvent,
  defineMessageStream,
  type Transport,
} from '@duet/core';
import {
  createPostgresEventStore,
  createPostgresInbox,
  migrate,
  openProcessors,
  type SqlExecutor,
} from '@duet/postgres';
import { z } from 'zod';

// #region contracts
// The orders service's domain event: internal, free to change.
export const OrderPlaced = defineEvent(
  'OrderPlaced',
  z.object({ customerId: z.string(), items: z.array(z.string()), totalCents: z.number().int() }),
);

// What it promises other services: a contract with its own name, schema and version.
export const OrderPlacedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'OrderPlaced',
  version: 1,
  description: 'A customer placed an order; its total is final.',
  schema: z.object({ orderId: z.string(), customerId: z.string(), totalCents: z.number().int() }),
  from: OrderPlaced,
  map: (event) => {
    const { customerId, totalCents } = event.data as { customerId: string; totalCents: number };
    return { orderId: event.stream, customerId, totalCents };
  },
});

export const ordersContracts = defineContracts('orders', [OrderPlacedV1]);
// Subjects orders.>, stream DUET_ORDERS; replicas: 3 in a three-node cluster.
export const ordersStream = defineMessageStream({ service: 'orders', duplicateWindowMs: 120_000 });
// #endregion contracts

/** Starts both services on one database (a schema each) and one transport. */
export async function startTwoServices(executor: SqlExecutor, transport: Transport) {
  // #region relay
  // orders: its store, and the relay that publishes its contracts after each commit.
  await migrate(executor, { schema: 'orders' });
  const store = createPostgresEventStore({ executor, schema: 'orders' });
  await migrate(executor, { schema: 'orders_processors', set: 'processors' });
  await transport.ensureStreams([ordersStream]);
  const relay = createRelay({ contracts: ordersContracts, transport, store });
  const processors = openProcessors({
    store,
    schema: 'orders_processors',
    readModelSchema: 'orders_read_models',
    processors: [relay],
  });
  await processors.start();
  // #endregion relay

  // #region consumer
  // billing: an invoice per order, written in the inbox's transaction, so a message
  // delivered twice still makes one invoice.
  await migrate(executor, { schema: 'billing' });
  await executor.query(
    'CREATE TABLE IF NOT EXISTS billing.invoices (order_id text PRIMARY KEY, customer_id text, total_cents integer)',
  );
  const consumer = createIntegrationConsumer({
    name: 'billing_invoices',
    transport,
    inbox: createPostgresInbox({ executor, schema: 'billing' }),
    source: ordersStream,
    contracts: ordersContracts,
    handle: async (message, { tx }) => {
      const { orderId, customerId, totalCents } = message.data as {
        orderId: string;
        customerId: string;
        totalCents: number;
      };
      await tx.query('INSERT INTO billing.invoices VALUES ($1, $2, $3)', [
        orderId,
        customerId,
        totalCents,
      ]);
    },
  });
  await consumer.start();
  // #endregion consumer

  return {
    store,
    async stop() {
      await consumer.stop();
      await processors.stop();
      await store.close();
    },
  };
}
