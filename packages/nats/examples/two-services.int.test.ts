import { createInProcessTransport, type Transport } from '@duet/core';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { openNatsTransport } from '../src/open-nats-transport.ts';
import { deleteStreams, testDeadLetters } from '../src/testing/index.ts';
import { OrderPlaced, startTwoServices } from './two-services.ts';

// The example the docs show, run as it is: an order placed in one service becomes one
// invoice in the other. Fixed schema and stream names, so each run gets its own PGlite.
const natsUrl = inject('natsUrl');
const transports: Array<
  [string, () => Promise<{ transport: Transport; cleanup(): Promise<void> }>]
> = [
  [
    'the in-process transport',
    async () => ({ transport: createInProcessTransport(), cleanup: async () => {} }),
  ],
];
if (natsUrl !== null) {
  transports.push([
    'NATS',
    async () => {
      const deadLetters = testDeadLetters();
      // DUET_ORDERS is the example's fixed name: delete a leftover of an interrupted run first.
      await deleteStreams(natsUrl, ['DUET_ORDERS']);
      const transport = await openNatsTransport({ servers: natsUrl, deadLetters });
      return {
        transport,
        cleanup: () => deleteStreams(natsUrl, ['DUET_ORDERS', deadLetters.stream]),
      };
    },
  ]);
}

describe.each(transports)('the two-services example on %s', (_name, open) => {
  it('given three orders placed in orders, then billing has one invoice for each', async () => {
    await using db = await openTestDatabase({ kind: 'pglite', migrate: false });
    const { transport, cleanup } = await open();
    const services = await startTwoServices(db.executor, transport);
    try {
      for (const n of [1, 2, 3]) {
        await services.store.append(`order-${n}`, [
          OrderPlaced.create({ customerId: `c${n}`, items: ['book'], totalCents: n * 100 }),
        ]);
      }
      let rows: unknown[] = [];
      while (rows.length < 3) {
        ({ rows } = await db.executor.query('SELECT * FROM billing.invoices ORDER BY order_id'));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(rows).toEqual([
        { order_id: 'order-1', customer_id: 'c1', total_cents: 100 },
        { order_id: 'order-2', customer_id: 'c2', total_cents: 200 },
        { order_id: 'order-3', customer_id: 'c3', total_cents: 300 },
      ]);
    } finally {
      await services.stop();
      await transport.close();
      await cleanup();
      for (const schema of ['orders', 'billing', 'orders_processors', 'orders_read_models']) {
        await db.executor.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      }
    }
  });
});
