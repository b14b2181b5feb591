import type { QueryResultOf } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, askQuery, sendCommand } from '../../test-support/shop-client.ts';
import {
  type ShopTestServer,
  shopBackends,
  startShopTestServer,
} from '../../test-support/shop-test-server.ts';
import type { MyOrders, OrderDetail } from '../orders/queries/order-queries.ts';

const pairs = 100;
const customer = as('key-ryw');

// Issue 5: read-your-writes with the position token, 100 command/query pairs in a row. Every
// query carries the position its command returned and must see that command's write, never
// the state before it.
describe.each(shopBackends())('read-your-writes over HTTP on $kind', ({ kind, available }) => {
  let shop: ShopTestServer;

  beforeAll(async () => {
    if (available) shop = await startShopTestServer(kind);
  });
  afterAll(async () => {
    if (available) await shop.close();
  });

  it.skipIf(!available)(
    `given ${pairs} consecutive commands, when each is followed by a query with its position, then every query sees its own write`,
    async () => {
      const orderId = `ryw-${kind}`;
      const started = performance.now();
      for (let i = 1; i <= pairs; i++) {
        // Every other command opens a new order, so both read models move.
        const own = i % 2 === 0 ? orderId : `${orderId}-${i}`;
        const { position, streamVersion } = await sendCommand(
          shop.url,
          'AddItem',
          { orderId: own, sku: 'tea', quantity: 1, unitPriceCents: 100 },
          customer,
        );
        if (i % 2 === 0) {
          // The header on even pairs: the order's detail has this very version.
          const detail = await askQuery<QueryResultOf<typeof OrderDetail>>(
            shop.url,
            'OrderDetail',
            { orderId: own },
            { ...customer, 'duet-min-position': position },
          );
          expect(detail.version, `pair ${i}`).toBe(streamVersion);
          expect(detail.lines, `pair ${i}`).toEqual([
            { sku: 'tea', quantity: i / 2, unitPriceCents: 100 },
          ]);
        } else {
          // The parameter on odd pairs: the new order heads the customer's list.
          const page = await askQuery<QueryResultOf<typeof MyOrders>>(
            shop.url,
            'MyOrders',
            { limit: 1, minPosition: position },
            customer,
          );
          expect(page.orders[0]?.orderId, `pair ${i}`).toBe(own);
        }
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `read-your-writes on ${kind}: ${pairs} pairs in ${seconds.toFixed(2)} s (${((seconds * 1000) / pairs).toFixed(1)} ms a pair)`,
      );
    },
  );
});
