import { createInMemoryIdempotencyStore } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { createShopServer, type ServedService } from './create-shop-server.ts';

// /health/ready also answers for a service's broker consumers: one whose last fetch or
// batch failed (the broker or its database away) makes the instance not ready, so a load
// balancer stops sending it queries that would read a history going stale.
function service(consumers: NonNullable<ServedService['consumers']>): ServedService {
  return {
    name: 'order-history',
    description: 'test',
    commands: { send: () => Promise.reject(new Error('none')) },
    queries: {
      ask: () => Promise.reject(new Error('none')),
    } as unknown as ServedService['queries'],
    definitions: { commands: [], queries: [] },
    consumers,
  };
}

describe('readiness of a service with broker consumers', () => {
  it('given consumers all working, then 200 and each listed as consuming; given one failing, then 503 naming it and why', async () => {
    const consumer = { name: 'order_history_orders', lastError: undefined as string | undefined };
    const app = await createShopServer({
      services: [service([consumer])],
      principals: {},
      idempotency: createInMemoryIdempotencyStore(),
    });
    try {
      const ok = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({
        details: [{ consumer: 'order_history_orders', state: 'consuming' }],
      });
      consumer.lastError = 'nats: not reachable';
      const failing = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(failing.statusCode).toBe(503);
      expect(failing.json()).toMatchObject({
        details: [
          { consumer: 'order_history_orders', state: 'failing', lastError: 'nats: not reachable' },
        ],
      });
    } finally {
      await app.close();
    }
  });
});
