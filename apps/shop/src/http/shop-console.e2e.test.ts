import { runInTenant } from '@duet/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopInProcess, startShopInProcess } from '../../test-support/shop-in-process.ts';
import type { Shop } from '../create-shop.ts';
import { scheduleTimer } from '../orders/placement/timer-table.ts';
import { shopConsole } from './shop-console.ts';

// Issue 12: the shop serves the console at /console, with the demo keys (demo-staff acts).
let running: ShopInProcess;
let shop: Shop;
let app: FastifyInstance;

beforeAll(async () => {
  running = await startShopInProcess({ console: shopConsole, listen: false });
  ({ shop, app } = running);
}, 120_000);

afterAll(async () => {
  await running?.close();
});

const get = (url: string, key = 'demo-staff') => app.inject({ url, headers: { 'x-api-key': key } });

describe('the shop console', () => {
  it('given the demo data, when staff browse, then orders, an order with its state, processors and dead letters show; a customer is refused', async () => {
    const streams = await get('/console/streams?store=orders&by=category&q=order');
    expect(streams.statusCode).toBe(200);
    expect(streams.body).toContain('order-demo-1');
    const order = await get('/console/streams/orders/order-demo-1');
    expect(order.statusCode).toBe(200);
    expect(order.body).toContain('id="state"');
    expect((await get('/console/processors')).body).toContain('data-processor="orders/');
    expect((await get('/console/dead-letters')).statusCode).toBe(200);
    expect((await get('/console/streams', 'demo-ada')).statusCode).toBe(403);
  });

  it('given a confirmed saga, a compensated one and a timer, when staff open the sagas pages, then each timeline shows its steps, the compensations marked, and the timer', async () => {
    // demo-3 is bob's placed order: its saga ran to confirmed. An order for more than is in
    // stock is refused, and its saga gives back what it held.
    const send = (type: string, data: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: `/commands/${type}`,
        headers: { 'x-api-key': 'demo-ada', 'content-type': 'application/json' },
        payload: data,
      });
    expect(
      (await send('AddItem', { orderId: 'too-many', sku: 'mug', quantity: 99 })).statusCode,
    ).toBe(200);
    expect((await send('PlaceOrder', { orderId: 'too-many' })).statusCode).toBe(200);
    const sagaText = async (stream: string) =>
      (await get(`/console/sagas/placement/${stream}`)).body;
    while (!(await sagaText('placement-too-many')).includes('>cancelled<')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // As the demo keys' tenant: the timer is that tenant's saga's.
    await runInTenant('shop', () =>
      scheduleTimer(shop.orders.store.executor as never, shop.orders.store.schema, {
        stream: 'placement-demo-3',
        kind: 'payment-timeout',
        dueAt: '2030-01-01T00:00:00.000Z',
      }),
    );

    const list = await get('/console/sagas');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('placement-too-many');
    expect(list.body).toContain('placement-demo-3');

    const confirmed = await sagaText('placement-demo-3');
    expect(confirmed).toContain('>confirmed<');
    expect(confirmed).toContain('no compensations');
    expect(confirmed).toMatch(/<td>payment-timeout<\/td><td>2030-01-01T00:00:00.000Z<\/td>/);

    const compensated = await sagaText('placement-too-many');
    expect(compensated).toMatch(
      /<tr class="compensation">\s*<td>[^<]+<\/td><td>compensation started<\/td>/,
    );
    expect(compensated).toContain('no timers waiting');

    expect((await get('/console/sagas/placement/placement-nobody')).statusCode).toBe(404);
    expect((await get('/console/sagas/placement/order-demo-1')).statusCode).toBe(404);
    expect((await get('/console/sagas/nosuch/placement-demo-3')).statusCode).toBe(404);
    expect((await get('/console/sagas', 'demo-ada')).statusCode).toBe(403);
  });
});
