import { createInProcessTransport } from '@duet/core';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, it } from 'vitest';
import { AddProduct, ReceiveStock } from '../catalog/product-commands.ts';
import { shopStreams } from '../contracts/message-streams.ts';
import { RegisterCustomer } from '../customers/customer-commands.ts';
import { waitUntil } from '../customers/saga-messages.test-support.ts';
import { AddItem, PlaceOrder } from './order-commands.ts';
import { createOrdersService } from './orders-service.ts';
import {
  decliningGateway,
  shopTestSchemas,
  startOtherServices,
} from './placement/shop-in-one-process.test-support.ts';

// Issue 11: the orders service itself, given a transport, runs the placement saga: an order
// placed through its command bus is confirmed once catalog, customers and payments (in the
// same process, over the in-process transport) have answered.

const staff = { actor: 'sam', roles: ['staff'] };
const as = (actor: string) => ({ actor, roles: ['customer'] });

describe('the orders service with messaging', () => {
  it('given a registered customer and stock, when an order is placed, then the saga confirms it', async () => {
    await using database = await openTestDatabase({ kind: 'pglite', migrate: false });
    const transport = createInProcessTransport();
    const streams = shopStreams();
    const schema = `${shopTestSchemas.orders}_svc`;
    const orders = await createOrdersService({
      executor: database.executor,
      schema,
      messaging: { transport, streams },
    });
    const others = await startOtherServices(
      database.executor,
      transport,
      streams,
      decliningGateway(),
    );
    try {
      await orders.start();
      await others.customers.commands.send(
        RegisterCustomer.create({
          customerId: 'ada',
          name: 'Ada',
          email: 'ada@example.com',
          shippingAddress: { line1: '1 Way', city: 'London', postalCode: 'N1', country: 'GB' },
        }),
        as('ada'),
      );
      await others.catalog.commands.send(
        AddProduct.create({ sku: 'tea', name: 'Tea', priceCents: 450 }),
        staff,
      );
      await others.catalog.commands.send(ReceiveStock.create({ sku: 'tea', quantity: 5 }), staff);
      await orders.commands.send(
        AddItem.create({ orderId: 'o-1', sku: 'tea', quantity: 2, unitPriceCents: 450 }),
        as('ada'),
      );
      await orders.commands.send(PlaceOrder.create({ orderId: 'o-1' }), as('ada'));
      await waitUntil(
        async () => (await orders.placement?.timeline('o-1'))?.at(-1)?.step === 'confirmed',
        'o-1 confirmed',
        60_000,
      );
      const steps = (await orders.placement?.timeline('o-1'))?.map((entry) => entry.step) ?? [];
      expect(steps).toContain('payment authorized');
    } finally {
      await orders.close();
      await others.close();
      await transport.close();
      for (const name of [schema, ...Object.values(shopTestSchemas)]) {
        for (const suffix of ['', '_processors', '_projections', '_read', '_placement']) {
          await database.executor.query(`DROP SCHEMA IF EXISTS "${name}${suffix}" CASCADE`);
        }
      }
    }
  }, 120_000);
});
