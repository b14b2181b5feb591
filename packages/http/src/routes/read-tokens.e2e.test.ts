import { createInMemoryIdempotencyStore, START_POSITION } from '@duet/core';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CartServer,
  OpenCart,
  postJson,
  startCartServer,
} from '../../test-support/cart-server.ts';
import { apiKeyAuthentication } from '../auth/api-key-authentication.ts';
import { duetHttp } from '../duet-http.ts';

const shopper = { roles: ['shopper'] };
const shopperKey = { 'x-api-key': 'shopper-key' };
const asShopper = {
  authenticate: apiKeyAuthentication({
    keys: { 'shopper-key': { id: 'u-1', roles: ['shopper'] } },
  }),
};
const ordersToken = 'orders@order-o-1:3';
const paymentsToken = 'payments@payment-p-1:2';

// Read-your-writes across services: a query names other services' writes with read tokens
// (`readToken` parameters or `Duet-Read-Tokens`) and the query bus's waiter decides what
// they mean; here the fixture's waiter reads them as writes its read model has taken in.
describe('read tokens on queries over HTTP', () => {
  let server: CartServer;
  beforeAll(async () => {
    server = await startCartServer();
    server.readModel.takenIn.add(ordersToken).add(paymentsToken);
    await server.commandBus.send({ type: 'OpenCart', data: { cartId: 'rt' } }, shopper);
    await server.readModel.catchUp();
  });
  afterAll(() => server.close());

  const lastRequest = () => server.consistencyRequests.at(-1);
  const tokensQuery = (...tokens: string[]) =>
    tokens.map((token) => `readToken=${encodeURIComponent(token)}`).join('&');

  it('given repeated readToken parameters, when a GET query is asked, then every token reaches the waiter, from the start position', async () => {
    const response = await fetch(
      `${server.url}/queries/CartItems?cartId=rt&${tokensQuery(ordersToken, paymentsToken)}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ cartId: 'rt', items: [] });
    expect(lastRequest()).toMatchObject({
      queryType: 'CartItems',
      minPosition: START_POSITION,
      tokens: [ordersToken, paymentsToken],
    });
  });

  it('given the Duet-Read-Tokens header, when asked, then its comma-separated tokens reach the waiter; a readToken parameter wins over it', async () => {
    const byHeader = await fetch(`${server.url}/queries/CartItems?cartId=rt`, {
      headers: { 'duet-read-tokens': `${ordersToken}, ${paymentsToken}` },
    });
    expect(byHeader.status).toBe(200);
    expect(lastRequest()?.tokens).toEqual([ordersToken, paymentsToken]);

    const both = await fetch(
      `${server.url}/queries/CartItems?cartId=rt&${tokensQuery(ordersToken)}`,
      {
        headers: { 'duet-read-tokens': 'catalog@product-nope:9' },
      },
    );
    expect(both.status).toBe(200);
    expect(lastRequest()?.tokens).toEqual([ordersToken]);
  });

  it('given a POST query, when readToken is in the query string beside minPosition, then the waiter gets both', async () => {
    const position = server.readModel.position();
    const response = await postJson(
      `${server.url}/queries/CartItems?minPosition=${position}&${tokensQuery(paymentsToken)}`,
      { cartId: 'rt' },
    );
    expect(response.status).toBe(200);
    expect(lastRequest()).toMatchObject({ minPosition: position, tokens: [paymentsToken] });
  });

  it('given a token not taken in yet, when it is taken in during the wait, then the query answers', async () => {
    const later = 'orders@order-o-2:1';
    const before = server.consistencyRequests.length;
    const asked = fetch(`${server.url}/queries/CartItems?cartId=rt&${tokensQuery(later)}`);
    await until(() => server.consistencyRequests.length > before);
    server.readModel.takenIn.add(later);
    expect((await asked).status).toBe(200);
  });

  it.each([
    ['17 readToken parameters', `?cartId=rt&${tokensQuery(...Array(17).fill(ordersToken))}`, {}],
    ['an empty token in the header', '?cartId=rt', { 'duet-read-tokens': `${ordersToken},,` }],
    ['a token of 301 characters', `?cartId=rt&${tokensQuery(`orders@${'x'.repeat(292)}:1`)}`, {}],
  ])(
    'given %s, when asked, then 400 validation pointing at consistency/tokens',
    async (_, query, headers) => {
      const response = await fetch(`${server.url}/queries/CartItems${query}`, { headers });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { type: string; errors: { pointer: string }[] };
      expect(body.type).toBe('urn:duet:problem:validation');
      expect(body.errors[0]?.pointer).toMatch(/^\/consistency\/tokens/);
    },
  );

  it('given a token this waiter cannot read, when asked, then 400 validation from the waiter', async () => {
    const response = await fetch(`${server.url}/queries/CartItems?cartId=rt&readToken=nonsense`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'urn:duet:problem:validation' });
  });

  it('given a token never taken in, when the wait ends, then 503 stale-read with Retry-After and the tokens still missing', async () => {
    const missing = 'orders@order-o-1:1000';
    const response = await fetch(
      `${server.url}/queries/CartItems?cartId=rt&${tokensQuery(ordersToken, missing)}`,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({
      type: 'urn:duet:problem:stale-read',
      minPosition: START_POSITION,
      tokens: [missing],
    });
  });

  it('given a live query with a token never taken in, when asked, then 503 stale-read before any event; with one taken in, then the stream opens', async () => {
    const missing = 'payments@payment-p-9:1';
    const stale = await fetch(
      `${server.url}/queries/CartItems/live?cartId=rt&${tokensQuery(missing)}`,
    );
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ tokens: [missing] });

    const controller = new AbortController();
    const live = await fetch(
      `${server.url}/queries/CartItems/live?cartId=rt&${tokensQuery(ordersToken)}`,
      { signal: controller.signal },
    );
    expect(live.status).toBe(200);
    expect(lastRequest()?.tokens).toEqual([ordersToken]);
    controller.abort();
    await until(() => server.readModel.listenerCount() === 0);
  });

  it('given the OpenAPI document, when read, then readToken and Duet-Read-Tokens are documented beside minPosition', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>>;
    };
    for (const [path, method] of [
      ['/queries/CartItems', 'get'],
      ['/queries/CartItems', 'post'],
      ['/queries/CartItems/live', 'get'],
    ] as const) {
      const names = doc.paths[path]?.[method]?.parameters.map((p) => `${p.in}:${p.name}`);
      expect(names, `${method} ${path}`).toEqual(
        expect.arrayContaining([
          'query:minPosition',
          'query:readToken',
          'header:duet-min-position',
          'header:duet-read-tokens',
        ]),
      );
    }
  });
});

describe('read tokens on command replies over HTTP', () => {
  it('given readTokens with a service name, when a command runs, then the reply and Duet-Read-Token carry <service>@<stream>:<version>, replayed as they were', async () => {
    const server = await startCartServer({
      ...asShopper,
      readTokens: { service: 'carts' },
      idempotency: createInMemoryIdempotencyStore(),
    });
    const reply = await postJson(
      `${server.url}/commands/OpenCart`,
      { cartId: 'c1' },
      { ...shopperKey, 'idempotency-key': 'k-1' },
    );
    const { readToken } = (await reply.json()) as { readToken: string };
    try {
      expect(readToken).toBe('carts@cart-c1:1');
      expect(reply.headers.get('duet-read-token')).toBe(readToken);
      const again = await postJson(
        `${server.url}/commands/OpenCart`,
        { cartId: 'c1' },
        { ...shopperKey, 'idempotency-key': 'k-1' },
      );
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('duet-read-token')).toBe(readToken);
      expect(await again.json()).toMatchObject({ readToken });
    } finally {
      await server.close();
    }
  });

  it('given no readTokens, when a command runs, then the reply has no read token', async () => {
    const server = await startCartServer(asShopper);
    try {
      const reply = await postJson(`${server.url}/commands/OpenCart`, { cartId: 'c2' }, shopperKey);
      expect(reply.status).toBe(200);
      expect(await reply.json()).not.toHaveProperty('readToken');
      expect(reply.headers.get('duet-read-token')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('given readTokens by command type, when a type has no service, then only the others carry a token', async () => {
    const server = await startCartServer({
      ...asShopper,
      readTokens: { service: (type) => (type === 'OpenCart' ? 'carts' : undefined) },
    });
    try {
      const opened = await postJson(
        `${server.url}/commands/OpenCart`,
        { cartId: 'c3' },
        shopperKey,
      );
      expect(await opened.json()).toMatchObject({ readToken: 'carts@cart-c3:1' });
      const added = await postJson(
        `${server.url}/commands/AddItem`,
        {
          cartId: 'c3',
          sku: 'x',
          quantity: 1,
        },
        shopperKey,
      );
      expect(added.status).toBe(200);
      expect(await added.json()).not.toHaveProperty('readToken');
    } finally {
      await server.close();
    }
  });

  it('given a service name a token cannot hold, when the plugin is registered, then it fails at start-up naming the option', async () => {
    const { commandBus, queryBus, close } = await startCartServer();
    const app = Fastify({ logger: false });
    try {
      await expect(
        app
          .register(duetHttp, {
            commandBus,
            queryBus,
            commands: [OpenCart],
            queries: [],
            readTokens: { service: (type) => `${type} service` },
          })
          .ready(),
      ).rejects.toThrow('duetHttp option readTokens.service');
    } finally {
      await app.close();
      await close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 100) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
