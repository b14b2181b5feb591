import { createInMemoryIdempotencyStore, defineProjection } from '@duet/core';
import { createPostgresEventStore, migrate, openProcessors } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { createShopServer, type ServedService } from './create-shop-server.ts';

const databaseUrl = inject('databaseUrl');

// /health/ready also answers for a service's broker consumers: one whose last fetch or
// batch failed (the broker or its database away) makes the instance not ready, so a load
// balancer stops sending it queries that would read a history going stale.
function service(
  consumers: NonNullable<ServedService['consumers']>,
  processors?: ServedService['processors'],
): ServedService {
  return {
    name: 'order-history',
    description: 'test',
    commands: { send: () => Promise.reject(new Error('none')) },
    queries: {
      ask: () => Promise.reject(new Error('none')),
    } as unknown as ServedService['queries'],
    definitions: { commands: [], queries: [] },
    consumers,
    ...(processors ? { processors } : {}),
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

// Issue 12: a processor that stops moving makes the instance not ready, and the answer
// names it and says why; a dead runner is never ready.
describe.skipIf(databaseUrl === null)('readiness of a service with processors', () => {
  it('given its projection live, then 200; given it stopped on a poisoned event, then 503 naming it and the event; given its runner stopped, then 503 saying no runner works it', async ({
    signal,
  }) => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    const runnerSchema = `${db.schema}_p`;
    await using _schemas = {
      [Symbol.asyncDispose]: async () => {
        await db.executor.query(`DROP SCHEMA IF EXISTS "${runnerSchema}" CASCADE`);
        await db.executor.query(`DROP SCHEMA IF EXISTS "${db.schema}_rm" CASCADE`);
      },
    };
    await migrate(db.executor, { schema: runnerSchema, set: 'processors' });
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const history = defineProjection({
      name: 'order_history',
      events: ['OrderPlaced'],
      onFailure: 'stop',
      async apply(_tx, events) {
        if (events.some((event) => event.stream === 'order-poisoned')) throw new Error('bad order');
      },
    });
    await using processors = openProcessors({
      store: { executor: db.executor, schema: db.schema },
      schema: runnerSchema,
      readModelSchema: `${db.schema}_rm`,
      processors: [history],
      pollIntervalMs: 100,
      retry: { attempts: 1, backoffMs: 1 },
    });
    const app = await createShopServer({
      services: [service([], processors)],
      principals: {},
      idempotency: createInMemoryIdempotencyStore(),
    });
    try {
      const ready = async () => {
        const response = await app.inject({ method: 'GET', url: '/health/ready' });
        return { code: response.statusCode, body: response.json() };
      };
      /** Asks /health/ready until `check` holds; the test's timeout bounds it. */
      const until = async (check: (answer: Awaited<ReturnType<typeof ready>>) => boolean) => {
        let answer = await ready();
        while (!check(answer) && !signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          answer = await ready();
        }
        return answer;
      };
      await store.append('order-1', [{ type: 'OrderPlaced', data: {} }]);
      await processors.start();
      const live = await until((answer) => answer.code === 200);
      expect(live.body).toEqual({
        status: 'ready',
        details: [expect.objectContaining({ name: 'order_history', health: 'healthy' })],
      });

      await store.append('order-poisoned', [{ type: 'OrderPlaced', data: {} }]);
      const stalled = await until((answer) => answer.body.details?.[0]?.state === 'failed');
      expect(stalled).toEqual({
        code: 503,
        body: {
          status: 'not ready',
          details: [
            expect.objectContaining({
              name: 'order_history',
              state: 'failed',
              health: 'stalled',
              reason: expect.stringMatching(
                /^order_history v1 is stalled: failed on OrderPlaced \S+ in order-poisoned: bad order$/,
              ),
            }),
          ],
        },
      });

      await processors.stop();
      expect(await ready()).toEqual({
        code: 503,
        body: {
          status: 'not ready',
          details: [
            expect.objectContaining({
              health: 'stopped',
              reason: expect.stringMatching(/^order_history v1 is stopped: no runner works it/),
            }),
          ],
        },
      });
    } finally {
      await app.close();
    }
  });
});
