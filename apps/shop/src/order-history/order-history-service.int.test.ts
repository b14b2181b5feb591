import { AuthorizationError } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PriceChangedV1,
  ProductAddedV1,
  ProductRenamedV1,
} from '../contracts/catalog-contracts.ts';
import {
  CustomerRegisteredV1,
  CustomerRenamedV1,
  ShippingAddressChangedV1,
} from '../contracts/customer-contracts.ts';
import {
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderShippedV1,
} from '../contracts/order-placement-contracts.ts';
import { PaymentAuthorizedV1, PaymentCapturedV1 } from '../contracts/payment-contracts.ts';
import { consumedToken } from './consumed-token.ts';
import {
  customer as as,
  type HistoryFixture,
  historyBackends,
  staff,
  startHistoryFixture,
} from './history-fixture.test-support.ts';
import { OrderHistory, SearchOrders } from './order-history-queries.ts';
import { eventually } from './service-relays.test-support.ts';

const address = { line1: '1 Main St', city: 'Oslo', postalCode: '0150', country: 'NO' };
const wait = { timeoutMs: 15_000 };

describe.each(historyBackends())('the order history service on $kind', ({ kind, available }) => {
  let fixture: HistoryFixture;
  let relays: HistoryFixture['relays'];
  let history: HistoryFixture['history'];
  let place: HistoryFixture['place'];
  let historyOf: HistoryFixture['historyOf'];

  beforeAll(async () => {
    if (!available) return;
    fixture = await startHistoryFixture(kind);
    ({ relays, history, place, historyOf } = fixture);
  });
  afterAll(async () => {
    if (available) await fixture.close();
  });

  it.skipIf(!available)(
    'given the four services publish an order flow, when asked, then the row shows names, prices at order time, payment state and status; renames later update it',
    async () => {
      const tokens = [
        consumedToken(
          await relays.publish(ProductAddedV1, 'product-tea', {
            sku: 'tea',
            name: 'Green Tea',
            priceCents: 450,
          }),
        ),
        consumedToken(
          await relays.publish(ProductAddedV1, 'product-mug', {
            sku: 'mug',
            name: 'Blue Mug',
            priceCents: 1200,
          }),
        ),
        consumedToken(
          await relays.publish(CustomerRegisteredV1, 'customer-ada', {
            customerId: 'ada',
            name: 'Ada',
          }),
        ),
        consumedToken(
          await relays.publish(ShippingAddressChangedV1, 'customer-ada', {
            customerId: 'ada',
            address,
          }),
        ),
      ];
      await history.waitFor(tokens, wait);
      await place('o-1', 'ada', [
        { sku: 'tea', quantity: 2, unitPriceCents: 450 },
        { sku: 'mug', quantity: 1, unitPriceCents: 1200 },
      ]);
      await relays.publish(PaymentAuthorizedV1, 'payment-o-1', {
        orderId: 'o-1',
        paymentId: 'pay-1',
        amountCents: 2100,
      });
      await relays.publish(OrderConfirmedV1, 'order-o-1', { orderId: 'o-1' });
      const captured = await relays.publish(PaymentCapturedV1, 'payment-o-1', {
        orderId: 'o-1',
        amountCents: 2100,
      });
      const shipped = await relays.publish(OrderShippedV1, 'order-o-1', {
        orderId: 'o-1',
        trackingNumber: 'T-1',
      });
      const price = await relays.publish(PriceChangedV1, 'product-tea', {
        sku: 'tea',
        priceCents: 999,
      });

      const page = await historyOf('ada', {}, [captured, shipped, price].map(consumedToken));
      expect(page.orders).toEqual([
        {
          orderId: 'o-1',
          customerId: 'ada',
          customerName: 'Ada',
          shippingAddress: address,
          status: 'shipped',
          totalCents: 2100,
          paymentState: 'captured',
          placedAt: expect.any(String),
          updatedAt: shipped.occurredAt,
          lines: [
            { sku: 'tea', productName: 'Green Tea', quantity: 2, unitPriceCents: 450 },
            { sku: 'mug', productName: 'Blue Mug', quantity: 1, unitPriceCents: 1200 },
          ],
        },
      ]);

      const renamed = await relays.publish(CustomerRenamedV1, 'customer-ada', {
        customerId: 'ada',
        name: 'Ada L.',
      });
      const moved = await relays.publish(ShippingAddressChangedV1, 'customer-ada', {
        customerId: 'ada',
        address: { ...address, city: 'Bergen' },
      });
      const product = await relays.publish(ProductRenamedV1, 'product-tea', {
        sku: 'tea',
        name: 'Sencha',
      });
      const after = await historyOf('ada', {}, [renamed, moved, product].map(consumedToken));
      expect(after.orders[0]).toMatchObject({
        customerName: 'Ada L.',
        shippingAddress: { city: 'Bergen' },
        lines: [{ productName: 'Sencha', unitPriceCents: 450 }, { productName: 'Blue Mug' }],
      });
      expect((await historyOf('ada', { text: 'sench' })).orders.map((o) => o.orderId)).toEqual([
        'o-1',
      ]);
      expect((await historyOf('ada', { text: 'green' })).orders).toEqual([]);
    },
  );

  it.skipIf(!available)(
    'given an order published before its customer, products and its own earlier version, when the rest arrives, then the row converges',
    async () => {
      // The payment first, then the order's confirmation before its placement (the inbox
      // holds that one back), and only then the customer and the product.
      await relays.publish(PaymentAuthorizedV1, 'payment-o-2', {
        orderId: 'o-2',
        paymentId: 'pay-2',
        amountCents: 300,
      });
      const placed = relays.build(OrderPlacedV1, 'order-o-2', {
        orderId: 'o-2',
        customerId: 'cy',
        lines: [{ sku: 'kettle', quantity: 1, unitPriceCents: 300 }],
        totalCents: 300,
      });
      const confirmed = relays.build(OrderConfirmedV1, 'order-o-2', { orderId: 'o-2' });
      await relays.send([confirmed, placed]);
      const before = await historyOf('cy', {}, [consumedToken(confirmed)]);
      expect(before.orders[0]).toMatchObject({
        status: 'confirmed',
        paymentState: 'authorized',
        customerName: null,
        lines: [{ sku: 'kettle', productName: null, unitPriceCents: 300 }],
      });
      // A search by SKU word finds it before its product's name arrives.
      expect((await historyOf('cy', { text: 'kettle' })).orders).toHaveLength(1);

      await relays.publish(CustomerRegisteredV1, 'customer-cy', { customerId: 'cy', name: 'Cy' });
      await relays.publish(ProductAddedV1, 'product-kettle', {
        sku: 'kettle',
        name: 'Steel Kettle',
        priceCents: 350,
      });
      const converged = await eventually(
        () => historyOf('cy'),
        (page) =>
          page.orders[0]?.customerName === 'Cy' &&
          page.orders[0]?.lines[0]?.productName === 'Steel Kettle',
      );
      expect(converged.orders[0]).toMatchObject({
        status: 'confirmed',
        totalCents: 300,
        lines: [{ unitPriceCents: 300 }],
      });
      expect((await historyOf('cy', { text: 'steel' })).orders.map((o) => o.orderId)).toEqual([
        'o-2',
      ]);
    },
  );

  it.skipIf(!available)(
    'given orders and their customer and product published at once, when the consumers race, then every row gets the names',
    async () => {
      const orders = Array.from({ length: 30 }, (_, i) =>
        place(`z-${i}`, 'zed', [{ sku: 'cup', quantity: 1, unitPriceCents: 700 }]),
      );
      const names = [
        relays.publish(CustomerRegisteredV1, 'customer-zed', { customerId: 'zed', name: 'Zed' }),
        relays.publish(ProductAddedV1, 'product-cup', { sku: 'cup', name: 'Cup', priceCents: 700 }),
      ];
      const tokens = [
        ...(await Promise.all(orders)),
        ...(await Promise.all(names)).map(consumedToken),
      ];
      await history.waitFor(tokens, wait);
      const page = await history.ask(SearchOrders, { customerId: 'zed', limit: 100 }, staff);
      expect(page.orders).toHaveLength(30);
      for (const order of page.orders) {
        expect(order).toMatchObject({ customerName: 'Zed', lines: [{ productName: 'Cup' }] });
      }
    },
  );

  it.skipIf(!available)(
    'given many orders, when queried by customer, status, product and text a page at a time, then each comes once, newest first; others are refused',
    async () => {
      // The product names are searched below: wait for them too, not only for the orders.
      const tokens: string[] = [
        consumedToken(
          await relays.publish(ProductAddedV1, 'product-pen', {
            sku: 'pen',
            name: 'Fountain Pen',
            priceCents: 100,
          }),
        ),
        consumedToken(
          await relays.publish(ProductAddedV1, 'product-ink', {
            sku: 'ink',
            name: 'Black Ink',
            priceCents: 50,
          }),
        ),
      ];
      for (let i = 0; i < 7; i++) {
        const sku = i % 2 === 0 ? 'pen' : 'ink';
        tokens.push(await place(`p-${i}`, 'pat', [{ sku, quantity: 1, unitPriceCents: 100 }]));
      }
      tokens.push(
        consumedToken(
          await relays.publish(OrderCancelledV1, 'order-p-3', {
            orderId: 'p-3',
            reason: 'changed mind',
          }),
        ),
      );
      tokens.push(await place('q-1', 'quinn', [{ sku: 'pen', quantity: 3, unitPriceCents: 100 }]));
      await history.waitFor(tokens, wait);

      const pages: string[][] = [];
      let after: string | undefined;
      do {
        const page = await historyOf('pat', { limit: 3, ...(after ? { after } : {}) });
        pages.push(page.orders.map((o) => o.orderId));
        after = page.next ?? undefined;
      } while (after);
      expect(pages).toEqual([['p-6', 'p-5', 'p-4'], ['p-3', 'p-2', 'p-1'], ['p-0']]);

      const ids = (page: { orders: { orderId: string }[] }) => page.orders.map((o) => o.orderId);
      expect(ids(await historyOf('pat', { status: 'cancelled' }))).toEqual(['p-3']);
      expect(ids(await historyOf('pat', { sku: 'ink' }))).toEqual(['p-5', 'p-3', 'p-1']);
      expect(ids(await historyOf('pat', { text: 'FOUNT pen', status: 'placed' }))).toEqual([
        'p-6',
        'p-4',
        'p-2',
        'p-0',
      ]);
      expect(
        ids(await history.ask(OrderHistory, { customerId: 'quinn', limit: 20 }, staff)),
      ).toEqual(['q-1']);
      const search = await history.ask(
        SearchOrders,
        { sku: 'pen', text: 'fountain', limit: 2 },
        staff,
      );
      expect(ids(search)).toEqual(['q-1', 'p-6']);
      expect(
        ids(await history.ask(SearchOrders, { sku: 'pen', limit: 2, after: search.next! }, staff)),
      ).toEqual(['p-4', 'p-2']);

      await expect(
        history.ask(OrderHistory, { customerId: 'pat', limit: 20 }, as('quinn')),
      ).rejects.toBeInstanceOf(AuthorizationError);
      await expect(history.ask(SearchOrders, { limit: 20 }, as('pat'))).rejects.toBeInstanceOf(
        AuthorizationError,
      );
      await expect(historyOf('pat', { after: 'not-a-cursor' })).rejects.toThrow('after');
    },
  );
});
