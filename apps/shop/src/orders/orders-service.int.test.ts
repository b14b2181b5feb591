import { AuthorizationError, NotFoundError } from '@duet/core';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AddItem,
  CancelOrder,
  ConfirmOrder,
  PlaceOrder,
  RemoveItem,
  ShipOrder,
} from './order-commands.ts';
import { createOrdersService, type OrdersService } from './orders-service.ts';

const ada = { actor: 'ada', roles: ['customer'] };
const bob = { actor: 'bob', roles: ['customer'] };
const staff = { actor: 'sam', roles: ['staff'] };

const backends = [
  { kind: 'pglite' as const, available: true },
  { kind: 'postgres' as const, available: inject('databaseUrl') !== null },
];

describe.each(backends)('the orders service on $kind', ({ kind, available }) => {
  let database: TestDatabase;
  let orders: OrdersService;

  beforeAll(async () => {
    if (!available) return;
    database = await openTestDatabase({ kind, migrate: false });
    orders = await createOrdersService({ executor: database.executor, schema: database.schema });
    await orders.start();
  });

  afterAll(async () => {
    if (!available) return;
    await orders.close();
    for (const suffix of ['_projections', '_read']) {
      await database.executor.query(`DROP SCHEMA IF EXISTS "${database.schema}${suffix}" CASCADE`);
    }
    await database.dispose();
  });

  it.skipIf(!available)(
    'given a cart, when it is placed, confirmed and shipped, then both read models show each step at once',
    async () => {
      const orderId = `o-${kind}-1`;
      await orders.commands.send(
        AddItem.create({ orderId, sku: 'tea', quantity: 3, unitPriceCents: 450 }),
        ada,
      );
      await orders.commands.send(
        AddItem.create({ orderId, sku: 'mug', quantity: 1, unitPriceCents: 1200 }),
        ada,
      );
      const removed = await orders.commands.send(
        RemoveItem.create({ orderId, sku: 'tea', quantity: 1 }),
        ada,
      );
      const cart = await orders.queries.ask(
        'OrderDetail',
        { orderId },
        { ...ada, consistency: { minPosition: removed.position } },
      );
      expect(cart).toMatchObject({
        status: 'cart',
        totalCents: 2100,
        lines: [
          { sku: 'mug', quantity: 1, unitPriceCents: 1200 },
          { sku: 'tea', quantity: 2, unitPriceCents: 450 },
        ],
      });
      await orders.commands.send(PlaceOrder.create({ orderId }), ada);
      await orders.commands.send(ConfirmOrder.create({ orderId }), staff);
      const shipped = await orders.commands.send(
        ShipOrder.create({ orderId, trackingNumber: 'TRK-9' }),
        staff,
      );
      const consistency = { minPosition: shipped.position };
      expect(
        await orders.queries.ask('OrderDetail', { orderId }, { ...ada, consistency }),
      ).toMatchObject({
        status: 'shipped',
        trackingNumber: 'TRK-9',
        totalCents: 2100,
        version: 6,
      });
      const mine = await orders.queries.ask('MyOrders', {}, { ...ada, consistency });
      expect(mine).toMatchObject({
        orders: [{ orderId, status: 'shipped', itemCount: 3, totalCents: 2100 }],
      });
    },
  );

  it.skipIf(!available)(
    "given ada's order, when bob asks for it or acts on it, then it is not found",
    async () => {
      const orderId = `o-${kind}-2`;
      const { position } = await orders.commands.send(
        AddItem.create({ orderId, sku: 'pen', quantity: 1, unitPriceCents: 100 }),
        ada,
      );
      await expect(
        orders.queries.ask(
          'OrderDetail',
          { orderId },
          { ...bob, consistency: { minPosition: position } },
        ),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        orders.commands.send(CancelOrder.create({ orderId, reason: 'x' }), bob),
      ).rejects.toBeInstanceOf(NotFoundError);
      const bobs = await orders.queries.ask(
        'MyOrders',
        {},
        { ...bob, consistency: { minPosition: position } },
      );
      expect(bobs).toEqual({ orders: [], next: null });
    },
  );

  it.skipIf(!available)(
    'given a customer, when they confirm their own order, then only staff may',
    async () => {
      const orderId = `o-${kind}-3`;
      await orders.commands.send(
        AddItem.create({ orderId, sku: 'pen', quantity: 1, unitPriceCents: 100 }),
        ada,
      );
      await orders.commands.send(PlaceOrder.create({ orderId }), ada);
      await expect(
        orders.commands.send(ConfirmOrder.create({ orderId }), ada),
      ).rejects.toBeInstanceOf(AuthorizationError);
    },
  );

  it.skipIf(!available)(
    'given many orders, when MyOrders pages through them, then every order comes once, newest first',
    async () => {
      let last = '';
      for (let i = 0; i < 7; i++) {
        ({ position: last } = await orders.commands.send(
          AddItem.create({
            orderId: `page-${kind}-${i}`,
            sku: 'pen',
            quantity: 1,
            unitPriceCents: 100,
          }),
          { actor: 'carol', roles: ['customer'] },
        ));
      }
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = (await orders.queries.ask(
          'MyOrders',
          { limit: 3, ...(after ? { after } : {}) },
          {
            actor: 'carol',
            roles: ['customer'],
            consistency: { minPosition: last },
          },
        )) as { orders: { orderId: string }[]; next: string | null };
        seen.push(...page.orders.map((order) => order.orderId));
        after = page.next ?? undefined;
      } while (after);
      expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `page-${kind}-${i}`));
    },
  );
});
