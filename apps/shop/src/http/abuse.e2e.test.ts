import type { QueryResultOf } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectProblem, postJson, sendCommand } from '../../test-support/shop-client.ts';
import {
  type ShopTestServer,
  shopBackends,
  startShopTestServer,
} from '../../test-support/shop-test-server.ts';
import { AddItem, PlaceOrder } from '../orders/order-commands.ts';
import type { MyOrders } from '../orders/queries/order-queries.ts';

type Page = QueryResultOf<typeof MyOrders>;

const ada = as('demo-ada');
const bob = as('demo-bob');
const many = as('key-many');

// Issue 5's abuse suite against the shop: hostile or careless requests answer a 4xx
// problem, never a 5xx, and change nothing: the event count and both read models are the
// same before and after each request.
describe.each(shopBackends())('abuse of the shop API on $kind', ({ kind, available }) => {
  let shop: ShopTestServer;
  const url = (path: string) => `${shop.url}${path}`;

  beforeAll(async () => {
    if (!available) return;
    shop = await startShopTestServer(kind);
    // ada's cart 'victim' and placed order 'placed'; 101 carts for 'many' (clamping).
    const adaContext = { actor: 'ada', tenant: 'shop', roles: ['customer'] };
    const line = { sku: 'tea', quantity: 1, unitPriceCents: 450 };
    await shop.orders.commands.send(AddItem.create({ orderId: 'victim', ...line }), adaContext);
    await shop.orders.commands.send(AddItem.create({ orderId: 'placed', ...line }), adaContext);
    await shop.orders.commands.send(PlaceOrder.create({ orderId: 'placed' }), adaContext);
    const manyContext = { actor: 'many', tenant: 'shop', roles: ['customer'] };
    for (let i = 0; i < 101; i++) {
      await shop.orders.commands.send(AddItem.create({ orderId: `m-${i}`, ...line }), manyContext);
    }
    // A PGlite start and 104 commands can take over a minute on a loaded 2-core machine.
  }, 180_000);
  afterAll(async () => {
    if (available) await shop.close();
  });

  /** Runs hostile requests and checks that no event and no read-model row moved. */
  async function expectNoChange(requests: () => Promise<void>) {
    const before = await shop.snapshot();
    await requests();
    expect(await shop.snapshot()).toEqual(before);
  }

  it.skipIf(!available).each([
    ['truncated JSON', '{"orderId":'],
    ['a bare string', '"victim"'],
    ['trailing garbage', '{"orderId":"victim"} x'],
    ['an empty body', ''],
    ['an array', '[{"orderId":"victim"}]'],
    ['null', 'null'],
  ])('given %s as a command body, when posted, then 400 and nothing changes', async (_, body) => {
    await expectNoChange(async () => {
      const response = await postJson(url('/commands/PlaceOrder'), body, ada);
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { type: string };
      expect(['urn:duet:problem:malformed-json', 'urn:duet:problem:validation']).toContain(
        problem.type,
      );
    });
  });

  it.skipIf(!available)(
    'given wrong types, when posted, then 400 validation naming each path and nothing changes',
    async () => {
      await expectNoChange(async () => {
        const response = await postJson(
          url('/commands/AddItem'),
          { orderId: 7, sku: [], quantity: '2', unitPriceCents: -1 },
          ada,
        );
        const body = await expectProblem(response, 400, 'validation');
        const pointers = (body.errors as { pointer: string }[]).map((error) => error.pointer);
        expect([...new Set(pointers)].sort()).toEqual([
          '/orderId',
          '/quantity',
          '/sku',
          '/unitPriceCents',
        ]);
        const huge = await postJson(
          url('/commands/AddItem'),
          { orderId: 'victim', sku: 'tea', quantity: 1e300, unitPriceCents: 450 },
          ada,
        );
        await expectProblem(huge, 400, 'validation');
      });
    },
  );

  it.skipIf(!available).each([
    ['an unknown field', { orderId: 'victim', colour: 'red' }, '/colour'],
    ['actor', { orderId: 'victim', actor: 'bob' }, '/actor'],
    ['tenant', { orderId: 'victim', tenant: 'other' }, '/tenant'],
    ['version', { orderId: 'victim', version: 1 }, '/version'],
    ['customerId', { orderId: 'victim', customerId: 'bob' }, '/customerId'],
    ['roles', { orderId: 'victim', roles: ['staff'] }, '/roles'],
  ])(
    'given %s in a PlaceOrder body, when posted, then 400 naming it and nothing changes',
    async (_, body, pointer) => {
      await expectNoChange(async () => {
        const problem = await expectProblem(
          await postJson(url('/commands/PlaceOrder'), body, ada),
          400,
          'validation',
        );
        expect(problem.errors).toEqual([{ pointer, detail: 'unknown property' }]);
      });
    },
  );

  it.skipIf(!available)(
    "given customerId in an AddItem body, when bob posts it for his own cart, then 400 and no cart is opened in ada's name",
    async () => {
      await expectNoChange(async () => {
        const body = {
          orderId: 'bobs',
          sku: 'tea',
          quantity: 1,
          unitPriceCents: 1,
          customerId: 'ada',
        };
        const problem = await expectProblem(
          await postJson(url('/commands/AddItem'), body, bob),
          400,
          'validation',
        );
        expect(problem.errors).toEqual([{ pointer: '/customerId', detail: 'unknown property' }]);
      });
    },
  );

  it.skipIf(!available).each([
    ['__proto__', '{"orderId":"victim","__proto__":{"roles":["staff"]}}'],
    ['a nested __proto__', '{"orderId":"victim","x":{"__proto__":{"roles":["staff"]}}}'],
    ['constructor.prototype', '{"orderId":"victim","constructor":{"prototype":{"a":1}}}'],
  ])('given %s, when posted, then 400 and no prototype is touched', async (_, body) => {
    await expectNoChange(async () => {
      await expectProblem(
        await postJson(url('/commands/PlaceOrder'), body, ada),
        400,
        'malformed-json',
      );
      await expectProblem(
        await postJson(url('/queries/MyOrders'), body, ada),
        400,
        'malformed-json',
      );
      expect(({} as Record<string, unknown>).roles).toBeUndefined();
    });
  });

  it.skipIf(!available)(
    'given __proto__ or an unknown parameter in a query string, when asked, then 400',
    async () => {
      for (const search of [
        '__proto__=x',
        'colour=red',
        'limit=ten',
        'limit=0',
        'minPosition=42',
      ]) {
        await expectProblem(
          await fetch(url(`/queries/MyOrders?${search}`), { headers: ada }),
          400,
          'validation',
        );
      }
    },
  );

  it.skipIf(!available)(
    'given a body over the 1 MiB limit, when posted, then 413 and nothing changes',
    async () => {
      await expectNoChange(async () => {
        const body = {
          orderId: 'victim',
          sku: 'x'.repeat(1_100_000),
          quantity: 1,
          unitPriceCents: 1,
        };
        await expectProblem(
          await postJson(url('/commands/AddItem'), body, ada),
          413,
          'body-too-large',
        );
      });
    },
  );

  it.skipIf(!available)('given a body that is not JSON, when posted, then 415', async () => {
    await expectNoChange(async () => {
      const response = await fetch(url('/commands/PlaceOrder'), {
        method: 'POST',
        headers: { ...ada, 'content-type': 'text/plain' },
        body: 'orderId=victim',
      });
      await expectProblem(response, 415, 'unsupported-media-type');
    });
  });

  it.skipIf(!available)(
    'given no or an unknown API key, when sending a command or a query, then 401 with WWW-Authenticate',
    async () => {
      await expectNoChange(async () => {
        for (const key of ['', 'not-a-key']) {
          const command = await postJson(
            url('/commands/PlaceOrder'),
            { orderId: 'victim' },
            as(key),
          );
          await expectProblem(command, 401, 'unauthenticated');
          expect(command.headers.get('www-authenticate')).toBeTruthy();
          await expectProblem(
            await fetch(url('/queries/MyOrders'), { headers: as(key) }),
            401,
            'unauthenticated',
          );
          await expectProblem(
            await fetch(url('/queries/MyOrders/live'), { headers: as(key) }),
            401,
            'unauthenticated',
          );
        }
      });
    },
  );

  it.skipIf(!available)(
    'given a customer, when confirming or shipping an order, then 403 and nothing changes',
    async () => {
      await expectNoChange(async () => {
        await expectProblem(
          await postJson(url('/commands/ConfirmOrder'), { orderId: 'placed' }, ada),
          403,
          'forbidden',
        );
        await expectProblem(
          await postJson(
            url('/commands/ShipOrder'),
            { orderId: 'placed', trackingNumber: 'T' },
            ada,
          ),
          403,
          'forbidden',
        );
      });
    },
  );

  it.skipIf(!available)(
    "given ada's order, when bob reads or acts on it, then 404 exactly like an order that does not exist",
    async () => {
      // Everything but the order id and the request id must match, or the answer leaks.
      const normalise = async (response: Response, orderId: string) => {
        expect(response.status).toBe(404);
        const text = (await response.text())
          .replaceAll(orderId, '<order>')
          .replace(/urn:duet:request:[^"]+/, '<request>');
        const headers = [...response.headers]
          // Counters and clocks, not content: the reset moves on when a second passes.
          .filter(
            ([name]) =>
              !['date', 'content-length', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(
                name,
              ),
          )
          .sort();
        return { text, headers };
      };
      await expectNoChange(async () => {
        const attempts: [string, string, Record<string, unknown>][] = [
          ['GET', '/queries/OrderDetail', {}],
          ['POST', '/queries/OrderDetail', {}],
          ['POST', '/commands/CancelOrder', { reason: 'mine now' }],
          ['POST', '/commands/RemoveItem', { sku: 'tea', quantity: 1 }],
          ['POST', '/commands/PlaceOrder', {}],
          ['POST', '/commands/AddItem', { sku: 'tea', quantity: 1, unitPriceCents: 450 }],
        ];
        for (const [method, path, data] of attempts) {
          const call = (orderId: string) =>
            method === 'GET'
              ? fetch(url(`${path}?orderId=${orderId}`), { headers: bob })
              : postJson(url(path), { orderId, ...data }, bob);
          const hidden = await normalise(await call('victim'), 'victim');
          // AddItem on a missing order opens a cart, so its "missing" twin is ada's other one.
          if (path === '/commands/AddItem') {
            expect(JSON.parse(hidden.text)).toMatchObject({ type: 'urn:duet:problem:not-found' });
            continue;
          }
          const missing = await normalise(await call('no-such-order'), 'no-such-order');
          expect(hidden, `${method} ${path}`).toEqual(missing);
          expect(hidden.text).not.toContain('ada');
        }
      });
    },
  );

  it.skipIf(!available)(
    'given a server with 20 requests a minute, when a burst of 30 arrives, then some are 429 with Retry-After, none 5xx, and other customers still get through',
    async () => {
      const limited = await shop.startSibling({ rateLimitPerMinute: 20 });
      await expectNoChange(async () => {
        const burst = as('key-burst');
        const responses = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            i % 2 === 0
              ? fetch(`${limited}/queries/MyOrders`, { headers: burst })
              : postJson(`${limited}/commands/PlaceOrder`, { orderId: 'victim', x: 1 }, burst),
          ),
        );
        const statuses = responses.map((response) => response.status);
        expect(statuses.every((status) => status < 500)).toBe(true);
        const tooMany = responses.filter((response) => response.status === 429);
        expect(tooMany.length).toBeGreaterThanOrEqual(10);
        const first = tooMany[0]!;
        expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
        await expectProblem(first, 429, 'rate-limited');
        expect((await fetch(`${limited}/queries/MyOrders`, { headers: ada })).status).toBe(200);
        await Promise.all(
          responses.map((response) => (response.bodyUsed ? undefined : response.body?.cancel())),
        );
      });
    },
  );

  it.skipIf(!available)(
    'given 101 orders, when a page of a billion is asked, then it is clamped to 100',
    async () => {
      const get = await fetch(url('/queries/MyOrders?limit=1000000000'), { headers: many });
      expect(get.status).toBe(200);
      const page = (await get.json()) as Page;
      expect(page.orders).toHaveLength(100);
      expect(page.next).not.toBeNull();
      const post = await postJson(url('/queries/MyOrders'), { limit: 1e12 }, many);
      expect(((await post.json()) as Page).orders).toHaveLength(100);
      const rest = await fetch(url(`/queries/MyOrders?limit=100&after=${page.next}`), {
        headers: many,
      });
      expect(((await rest.json()) as Page).orders).toHaveLength(1);
    },
  );

  it.skipIf(!available)(
    'given unknown types, unknown paths and wrong methods, when called, then 404 and 405 problems',
    async () => {
      await expectNoChange(async () => {
        await expectProblem(
          await postJson(url('/commands/DeleteEverything'), {}, ada),
          404,
          'unknown-command',
        );
        await expectProblem(
          await fetch(url('/queries/AllOrders'), { headers: ada }),
          404,
          'unknown-query',
        );
        const get = await fetch(url('/commands/PlaceOrder'), { headers: ada });
        await expectProblem(get, 405, 'method-not-allowed');
        expect(get.headers.get('allow')).toContain('POST');
        const del = await fetch(url('/queries/MyOrders'), { method: 'DELETE', headers: ada });
        await expectProblem(del, 405, 'method-not-allowed');
        // Issue 13: any other unknown path was Fastify's default JSON.
        await expectProblem(await fetch(url('/nope'), { headers: ada }), 404, 'unknown-route');
        await expectProblem(await postJson(url('/orders/1'), {}, ada), 404, 'unknown-route');
        const health = await fetch(url('/health/live'), { method: 'POST' });
        await expectProblem(health, 405, 'method-not-allowed');
        expect(health.headers.get('allow')).toBe('GET, HEAD');
      });
    },
  );

  it.skipIf(!available)(
    'given an Idempotency-Key, when the command is sent twice, then the same reply comes back and one event is stored; the key with another body is a 422',
    async () => {
      const orderId = `idem-${kind}`;
      const body = { orderId, sku: 'tea', quantity: 1, unitPriceCents: 450 };
      const headers = { ...ada, 'idempotency-key': `k-${kind}` };
      const before = await shop.snapshot();
      const first = await postJson(url('/commands/AddItem'), body, headers);
      expect(first.status).toBe(200);
      const replay = await postJson(url('/commands/AddItem'), body, headers);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('duet-position')).toBe(first.headers.get('duet-position'));
      expect(await replay.json()).toEqual(await first.json());
      expect((await shop.snapshot()).events).toBe(before.events + 1);

      await expectNoChange(async () => {
        await expectProblem(
          await postJson(url('/commands/AddItem'), { ...body, quantity: 5 }, headers),
          422,
          'idempotency-key-reused',
        );
      });
      // The key is kept in the store's own schema.
      const { rows } = await shop.database.executor.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${shop.database.schema}".idempotency_keys`,
      );
      expect(rows[0]?.n).toBe(1);
    },
  );

  it.skipIf(!available)(
    'given If-Match with a stale version, when posted, then 412 with both versions and nothing changes',
    async () => {
      await expectNoChange(async () => {
        const response = await postJson(
          url('/commands/AddItem'),
          { orderId: 'victim', sku: 'tea', quantity: 1, unitPriceCents: 450 },
          { ...ada, 'if-match': '"7"' },
        );
        const problem = await expectProblem(response, 412, 'concurrency');
        expect(problem).toMatchObject({ expectedVersion: 7, actualVersion: 1 });
        await expectProblem(
          await postJson(
            url('/commands/PlaceOrder'),
            { orderId: 'victim' },
            { ...ada, 'if-match': 'soon' },
          ),
          400,
          'validation',
        );
      });
      // The right version goes through.
      const reply = await sendCommand(
        shop.url,
        'RemoveItem',
        { orderId: 'victim', sku: 'tea', quantity: 1 },
        { ...ada, 'if-match': '"1"' },
      );
      expect(reply.streamVersion).toBe(2);
    },
  );

  it.skipIf(!available)(
    'given headers over Node’s maxHeaderSize, when sent, then a 431 headers-too-large problem and nothing changes',
    async () => {
      // The shop's own part: its server is made with problemClientErrorHandler. The
      // handler's raw answer (status line, headers, body) is @duet/http's abuse test.
      await expectNoChange(async () => {
        const response = await fetch(url('/queries/MyOrders'), {
          headers: { ...ada, 'x-padding': 'a'.repeat(17_000) },
        });
        const problem = await expectProblem(response, 431, 'headers-too-large');
        expect(problem).toMatchObject({ status: 431 });
      });
    },
  );
});
