import { describe, expect, it } from 'vitest';
import { postJson, problemType, startCartServer } from '../../test-support/cart-server.ts';

describe('unexpected errors', () => {
  it('given a bus that fails with an internal error, when called, then 500 with a generic body and the cause only in the log', async () => {
    const server = await startCartServer({
      commandBus: {
        send: async () => {
          throw new Error('duplicate key value violates "events_pkey" at /srv/db.ts:12');
        },
      },
    });
    const response = await postJson(`${server.url}/commands/OpenCart`, { cartId: 'x' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'urn:duet:problem:internal', status: 500 });
    expect(text).not.toMatch(/events_pkey|\/srv|db\.ts|stack/);
    await server.close();
  });

  it('given a query bus without a consistency waiter, when minPosition is sent, then 501', async () => {
    const { createQueryBus, defineQueryHandler } = await import('@duet/core');
    const { ListCarts } = await import('../../test-support/cart-server.ts');
    const bare = await startCartServer({
      queryBus: createQueryBus({
        handlers: [defineQueryHandler(ListCarts, async () => ({ carts: [], limit: 0 }))],
      }),
    });
    const response = await fetch(
      `${bare.url}/queries/ListCarts?minPosition=0000000000000000-0000000000000001`,
    );
    expect(response.status).toBe(501);
    expect(await problemType(response)).toBe('urn:duet:problem:consistency-unsupported');
    await bare.close();
  });
});
