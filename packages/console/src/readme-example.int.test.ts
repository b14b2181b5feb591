import { apiKeyAuthentication } from '@duet/http';
import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { duetConsole } from './index.ts';

it('given the README example, when staff open /console, then the streams page shows', async () => {
  await using db = await openTestDatabase({ kind: 'pglite' });
  const { executor, schema } = db;
  // #region mount
  const store = createPostgresEventStore({ executor, schema });
  const app = Fastify();
  await app.register(duetConsole, {
    prefix: '/console',
    authenticate: apiKeyAuthentication({
      keys: { 's3cret-staff-key': { id: 'sam', roles: ['staff'] } },
    }),
    stores: [{ name: 'orders', store }],
    deciders: {
      order: {
        initialState: () => ({ lines: 0 }),
        evolve: (s) => ({ lines: (s as { lines: number }).lines + 1 }),
      },
    },
  });
  // #endregion mount
  await store.append('order-1', [{ type: 'LineAdded', data: {} }]);
  const response = await app.inject({
    url: '/console/streams/orders/order-1',
    headers: { 'x-api-key': 's3cret-staff-key' },
  });
  expect(response.statusCode).toBe(200);
  expect(response.body).toContain('&quot;lines&quot;: 1');
  await app.close();
  await store.close();
});
