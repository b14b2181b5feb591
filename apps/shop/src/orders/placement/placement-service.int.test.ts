import { createInProcessTransport, type Transport } from '@duet/core';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddProduct, ReceiveStock } from '../../catalog/product-commands.ts';
import { shopStreams } from '../../contracts/message-streams.ts';
import { RegisterCustomer } from '../../customers/customer-commands.ts';
import { waitUntil } from '../../customers/saga-messages.test-support.ts';
import { AddItem, PlaceOrder } from '../order-commands.ts';
import { createPlacementService, type PlacementService } from './placement-service.ts';
import {
  decliningGateway,
  type OtherServices,
  openOrdersSide,
  shopTestSchemas,
  startOtherServices,
} from './shop-in-one-process.test-support.ts';

// The saga wired into the orders database, with customers, catalog and payments in the
// same process over the in-process transport: each outcome end to end, and a payment
// timeout that fires after the placement service restarts. PGlite only: one file's
// database, fixed schema names, dropped after.

const staff = { actor: 'sam', roles: ['staff'] };
const as = (actor: string) => ({ actor, roles: ['customer'] });
const address = { line1: '1 Analytical Way', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const PAYMENT_TIMEOUT_MS = 60_000;
const WAIT_MS = 45_000;

describe('the placement service on pglite', () => {
  let database: TestDatabase;
  let transport: Transport;
  let orders: Awaited<ReturnType<typeof openOrdersSide>>;
  let others: OtherServices;
  let placement: PlacementService;
  const streams = shopStreams();
  // The saga's clock: moved past the payment timeout to make the timer due.
  let clockOffsetMs = 0;
  const clock = () => new Date(Date.now() + clockOffsetMs);
  const openPlacement = () =>
    createPlacementService({
      orders,
      executor: database.executor,
      transport,
      streams,
      schema: shopTestSchemas.orders,
      paymentTimeoutMs: PAYMENT_TIMEOUT_MS,
      clock,
      timerPollMs: 50,
    });

  const placeOrder = async (customerId: string, orderId: string, quantity: number) => {
    const item = AddItem.create({ orderId, sku: 'tea', quantity, unitPriceCents: 450 });
    await orders.commands.send(item, as(customerId));
    await orders.commands.send(PlaceOrder.create({ orderId }), as(customerId));
  };
  const statusOf = async (orderId: string) => (await orders.order(orderId)).state.status;
  const waitForStatus = (orderId: string, status: string) =>
    waitUntil(async () => (await statusOf(orderId)) === status, `${orderId} ${status}`, WAIT_MS);
  const timersOf = async (orderId: string) => {
    const { rows } = await database.executor.query<{ kind: string }>(
      `SELECT kind FROM "${shopTestSchemas.orders}".timers_v2 WHERE stream = $1`,
      [`placement-${orderId}`],
    );
    return rows.map((row) => row.kind);
  };
  const stockHeldFor = async (orderId: string) =>
    (await others.product('tea')).reservations[orderId] ?? 0;
  const waitUntilReleased = async (customerId: string, orderId: string) => {
    await waitUntil(
      async () => (await others.credit(customerId))[orderId]?.status === 'released',
      `${customerId}'s credit for ${orderId} released`,
      WAIT_MS,
    );
    await waitUntil(async () => (await stockHeldFor(orderId)) === 0, 'stock released', WAIT_MS);
  };

  beforeAll(async () => {
    database = await openTestDatabase({ kind: 'pglite', migrate: false });
    transport = createInProcessTransport();
    orders = await openOrdersSide(database.executor, shopTestSchemas.orders);
    others = await startOtherServices(database.executor, transport, streams, decliningGateway());
    placement = await openPlacement();
    await placement.start();
    for (const customerId of ['ada', 'bob', 'cyd', 'dee']) {
      await others.customers.commands.send(
        RegisterCustomer.create({
          customerId,
          name: customerId,
          email: `${customerId}@example.com`,
          shippingAddress: address,
        }),
        as(customerId),
      );
    }
    await others.catalog.commands.send(
      AddProduct.create({ sku: 'tea', name: 'Tea', priceCents: 450 }),
      staff,
    );
    await others.catalog.commands.send(ReceiveStock.create({ sku: 'tea', quantity: 10 }), staff);
  });

  afterAll(async () => {
    await placement?.close();
    await others?.close();
    await orders?.store.close();
    await transport?.[Symbol.asyncDispose]();
    for (const schema of Object.values(shopTestSchemas)) {
      for (const suffix of ['', '_processors', '_read', '_placement']) {
        await database.executor.query(`DROP SCHEMA IF EXISTS "${schema}${suffix}" CASCADE`);
      }
    }
    await database?.dispose();
  });

  it('confirms an order once stock, credit and payment are held', async () => {
    await placeOrder('ada', 'ok-1', 2);
    await waitForStatus('ok-1', 'confirmed');
    expect(await stockHeldFor('ok-1')).toBe(2);
    expect(await others.reservedCredit('ada')).toBe(900);
    expect(await timersOf('ok-1')).toEqual([]);
    const steps = (await placement.timeline('ok-1')).map((entry) => entry.step);
    expect(steps[0]).toBe('placement started');
    expect(steps).toContain('payment authorized');
    expect(steps.at(-1)).toBe('confirmed');
  });

  it('cancels a declined payment with PAYMENT_DECLINED and releases stock and credit', async () => {
    await placeOrder('bob', 'decline-1', 1);
    await waitForStatus('decline-1', 'cancelled');
    const { state } = await placement.state('decline-1');
    expect(state.cancellation?.code).toBe('PAYMENT_DECLINED');
    await waitUntilReleased('bob', 'decline-1');
    expect(await others.reservedCredit('bob')).toBe(0);
    expect(await timersOf('decline-1')).toEqual([]);
  });

  it('cancels an order short of stock with STOCK_REFUSED and releases the credit', async () => {
    await placeOrder('cyd', 'short-1', 50);
    await waitForStatus('short-1', 'cancelled');
    const { state } = await placement.state('short-1');
    expect(state.cancellation?.code).toBe('STOCK_REFUSED');
    await waitUntilReleased('cyd', 'short-1');
    expect(await others.reservedCredit('cyd')).toBe(0);
    // Only ok-1's two units are held: the refusal held nothing.
    expect((await others.product('tea')).reserved).toBe(2);
  });

  it('fires a payment timeout scheduled before a restart, after it', async () => {
    // No answer from payments: the authorization request waits on the broker.
    await others.stopPayments();
    await placeOrder('dee', 'slow-1', 1);
    await waitUntil(
      async () => (await timersOf('slow-1')).includes('payment-timeout'),
      'the payment timeout scheduled',
      WAIT_MS,
    );
    expect(await statusOf('slow-1')).toBe('placed');
    expect(await others.reservedCredit('dee')).toBe(450);

    await placement.close();
    clockOffsetMs = PAYMENT_TIMEOUT_MS * 2;
    placement = await openPlacement();
    await placement.start();

    await waitForStatus('slow-1', 'cancelled');
    const { state } = await placement.state('slow-1');
    expect(state.cancellation?.code).toBe('PAYMENT_TIMED_OUT');
    await waitUntilReleased('dee', 'slow-1');
    expect(await timersOf('slow-1')).toEqual([]);
    const steps = (await placement.timeline('slow-1')).map((entry) => entry.step);
    expect(steps).toContain('timer fired');
    // The authorization is still pending, not held: its late answer asks for its own void.
    expect(steps.at(-1)).toBe('cancelled');
  });
});
