import {
  AuthorizationError,
  createInMemoryInbox,
  createInProcessTransport,
  createIntegrationConsumer,
  type IntegrationConsumer,
  type IntegrationMessage,
  type Transport,
  toTransportMessage,
  UnknownMessageError,
} from '@duet/core';
import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogContracts } from '../contracts/catalog-contracts.ts';
import { shopStreams } from '../contracts/message-streams.ts';
import {
  StockReleaseRequestedV1,
  StockReservationRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import { GetProduct, ListProducts } from './catalog-queries.ts';
import { type CatalogService, createCatalogService } from './catalog-service.ts';
import { createOrdersRelayStandIn } from './order-requests.test-support.ts';
import { AddProduct, ReceiveStock, ReserveStock } from './product-commands.ts';
import { availableOf, productDecider, productStream } from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';
import { createStockRequestsConsumer } from './stock-requests-consumer.ts';

const staff = { actor: 'sam', roles: ['staff'] };
const ada = { actor: 'ada', roles: ['customer'] };

const backends = [
  { kind: 'pglite' as const, available: true },
  { kind: 'postgres' as const, available: inject('databaseUrl') !== null },
];

/** Polls until `check` is true (a short pause between tries), or fails after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const reserve = (orderId: string, lines: { sku: string; quantity: number }[]) => ({
  orderId,
  contract: StockReservationRequestedV1,
  data: { orderId, lines: lines.map((line) => ({ ...line, unitPriceCents: 100 })) },
});

describe.each(backends)('the catalog service on $kind', ({ kind, available }) => {
  let database: TestDatabase;
  let transport: Transport;
  let catalog: CatalogService;
  let collector: IntegrationConsumer;
  const streams = shopStreams();
  const answers: IntegrationMessage<{ orderId?: string; reason?: string }>[] = [];
  const answersFor = (orderId: string) => answers.filter((m) => m.data.orderId === orderId);
  let orders: ReturnType<typeof createOrdersRelayStandIn>;

  const addProduct = async (sku: string, units: number) => {
    await catalog.commands.send(AddProduct.create({ sku, name: sku, priceCents: 450 }), staff);
    return catalog.commands.send(ReceiveStock.create({ sku, quantity: units }), staff);
  };
  const productHistory = async (sku: string) => {
    const events: ProductEvent[] = [];
    for await (const event of catalog.store.readStream<ProductEvent>(productStream(sku))) {
      events.push(event);
    }
    return events;
  };
  // The read model once it has caught up with the product stream's last event.
  const productRow = async (sku: string) => {
    let minPosition = '';
    for await (const event of catalog.store.readStream(productStream(sku), {
      direction: 'backward',
      maxCount: 1,
    })) {
      minPosition = event.position;
    }
    return catalog.queries.ask(GetProduct, { sku }, { consistency: { minPosition } });
  };

  beforeAll(async () => {
    if (!available) return;
    database = await openTestDatabase({ kind, migrate: false });
    transport = createInProcessTransport();
    await transport.ensureStreams([streams.orders, streams.catalog]);
    catalog = await createCatalogService({
      executor: database.executor,
      schema: database.schema,
      transport,
      streams,
    });
    await catalog.start();
    // The placement saga's side: a durable consumer of everything the catalog publishes.
    collector = createIntegrationConsumer({
      name: 'test_catalog_answers',
      transport,
      inbox: createInMemoryInbox(),
      source: streams.catalog,
      contracts: catalogContracts,
      handle: async (message) => void answers.push(message as (typeof answers)[number]),
    });
    await collector.start();
    orders = createOrdersRelayStandIn(transport, streams.orders);
  });

  afterAll(async () => {
    if (!available) return;
    await collector?.stop();
    await catalog?.close();
    await transport?.close();
    for (const suffix of ['', '_processors', '_read']) {
      await database.executor.query(`DROP SCHEMA IF EXISTS "${database.schema}${suffix}" CASCADE`);
    }
    await database.dispose();
  });

  it.skipIf(!available)(
    'given staff and a customer, when they change the catalog or reserve by hand, then only staff catalog commands pass',
    async () => {
      const [pen, pin] = [`pen-${kind}`, `pin-${kind}`];
      await addProduct(pen, 3);
      const { position } = await addProduct(pin, 1);
      await expect(
        catalog.commands.send(AddProduct.create({ sku: 'x', name: 'x', priceCents: 1 }), ada),
      ).rejects.toBeInstanceOf(AuthorizationError);
      await expect(
        catalog.commands.send(ReserveStock.create({ sku: pen, orderId: 'o', quantity: 1 }), staff),
      ).rejects.toBeInstanceOf(UnknownMessageError);
      expect(catalog.definitions.commands.map((command) => command.type)).not.toContain(
        'ReserveStock',
      );
      // Public and keyset-paged: no actor, one product a page, each page after the last SKU.
      const page = (after?: string) =>
        catalog.queries.ask(
          ListProducts,
          { limit: 1, includeDiscontinued: false, ...(after ? { after } : {}) },
          { consistency: { minPosition: position } },
        );
      const first = await page();
      expect(first).toMatchObject({
        products: [{ sku: pen, name: pen, priceCents: 450, available: 3, discontinued: false }],
        next: pen,
      });
      expect(await page(first.next!)).toMatchObject({ products: [{ sku: pin }], next: null });
    },
  );

  it.skipIf(!available)(
    'given stock, when orders ask to reserve, then one that fits is reserved, a short one refused, and a released one gives its units back',
    async () => {
      const sku = `tea-${kind}`;
      await addProduct(sku, 5);
      const fits = `fits-${kind}`;
      const short = `short-${kind}`;
      await orders.publish([
        reserve(fits, [{ sku, quantity: 2 }]),
        reserve(short, [{ sku, quantity: 4 }]),
      ]);
      await waitFor('both answers', () => answersFor(fits).length + answersFor(short).length === 2);
      expect(answersFor(fits).map((m) => [m.type, m.data])).toEqual([
        ['StockReserved', { orderId: fits, lines: [{ sku, quantity: 2 }] }],
      ]);
      expect(answersFor(short)).toMatchObject([
        { type: 'StockReservationRefused', data: { orderId: short, sku, reason: 'OUT_OF_STOCK' } },
      ]);
      expect(await productRow(sku)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });

      await orders.publish([
        {
          orderId: fits,
          contract: StockReleaseRequestedV1,
          data: { orderId: fits, reason: 'declined' },
        },
      ]);
      await waitFor('the release', () => answersFor(fits).length === 2);
      expect(answersFor(fits)[1]).toMatchObject({ type: 'StockReleased', data: { orderId: fits } });
      expect(await productRow(sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    },
  );

  it.skipIf(!available)(
    'given a request handled once, when the same event comes again (a republish, or a copy with a new broker id), then nothing changes',
    async () => {
      const sku = `mug-${kind}`;
      await addProduct(sku, 5);
      const orderId = `twice-${kind}`;
      const [first] = await orders.publish([reserve(orderId, [{ sku, quantity: 1 }])]);
      await waitFor('the answer', () => answersFor(orderId).length === 1);
      const wire = toTransportMessage(first!);
      const acks = await orders.republish([wire, { ...wire, id: `copy-${wire.id}` }]);
      expect(acks.map((ack) => ack.duplicate)).toEqual([true, false]);
      // The order's next request comes after the copy in its stream: once it is answered,
      // the copy was seen.
      await orders.publish([
        { orderId, contract: StockReleaseRequestedV1, data: { orderId, reason: 'r' } },
      ]);
      await waitFor('the release', () => answersFor(orderId).length === 2);
      expect(answersFor(orderId).map((m) => m.type)).toEqual(['StockReserved', 'StockReleased']);
      const reservedEvents = (await productHistory(sku)).filter((e) => e.type === 'StockReserved');
      expect(reservedEvents).toHaveLength(1);
    },
  );

  it.skipIf(!available)(
    'given 10 units and 100 concurrent one-unit orders (two consumers racing), then exactly 10 are reserved, 90 refused, and stock never goes negative',
    { timeout: 180_000 },
    async () => {
      const sku = `last-${kind}`;
      await addProduct(sku, 10);
      // Two more instances of the consumer, each on its own store object as another
      // process would run it, in small batches, instead of the service's one (which would
      // take all 100 in one batch): on PostgreSQL they race for the product's stream.
      const service = catalog.consumers[0]!;
      await service.stop();
      const twins = [1, 2].map(() => {
        const store = createPostgresEventStore({
          executor: database.executor,
          schema: database.schema,
          ...(catalog.store.events ? { events: catalog.store.events } : {}),
        });
        const consumer = createStockRequestsConsumer({
          store,
          transport,
          source: streams.orders,
          batch: 5,
        });
        return { store, consumer };
      });
      for (const twin of twins) await twin.consumer.start();
      try {
        const rush = Array.from({ length: 100 }, (_, i) => `rush-${kind}-${i}`);
        await orders.publish(rush.map((orderId) => reserve(orderId, [{ sku, quantity: 1 }])));
        const answered = () => rush.flatMap(answersFor);
        await waitFor('100 answers', () => answered().length >= 100, 150_000);
        const types = answered().map((m) => m.type);
        expect(types.filter((t) => t === 'StockReserved')).toHaveLength(10);
        expect(types.filter((t) => t === 'StockReservationRefused')).toHaveLength(90);
        expect(
          new Set(
            answered()
              .filter((m) => m.type === 'StockReservationRefused')
              .map((m) => m.data.reason),
          ),
        ).toEqual(new Set(['OUT_OF_STOCK']));
        expect(new Set(answered().map((m) => m.data.orderId)).size).toBe(100);

        let state = productDecider.initialState();
        for (const event of await productHistory(sku)) {
          state = productDecider.evolve(state, event);
          expect(availableOf(state)).toBeGreaterThanOrEqual(0);
        }
        expect(state).toMatchObject({ onHand: 10, reserved: 10 });
        expect(availableOf(state)).toBe(0);
        expect(await productRow(sku)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
        expect(await service.deadLetters()).toEqual([]);
      } finally {
        for (const twin of twins) {
          await twin.consumer.stop();
          await twin.store.close();
        }
        await service.start();
      }
    },
  );
});
