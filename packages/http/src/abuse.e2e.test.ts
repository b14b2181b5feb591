import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartServer, postJson, startCartServer } from '../test-support/cart-server.ts';
import { apiKeyAuthentication } from './auth/api-key-authentication.ts';

// Issue 5's abuse suite: hostile input answers a 4xx problem, never a 5xx, and changes
// nothing in the store.
describe('abuse: no 5xx and no data change', () => {
  let server: CartServer;
  let eventsBefore: number;
  const shopper = { 'x-api-key': 'shopper-key' };
  const url = (path: string) => `${server.url}${path}`;

  beforeAll(async () => {
    server = await startCartServer({
      authenticate: apiKeyAuthentication({
        keys: {
          'shopper-key': { id: 'u1', tenant: 'acme', roles: ['shopper'] },
          'viewer-key': { id: 'u2', roles: ['viewer'] },
          'burst-key': { id: 'u3', roles: ['shopper'] },
        },
      }),
      bodyLimit: 2_048,
      maxPageSize: 25,
      rateLimit: { max: 60, timeWindow: 60_000 },
    });
    await postJson(url('/commands/OpenCart'), { cartId: 'victim' }, shopper);
    eventsBefore = (await server.allEvents()).length;
  });
  afterAll(async () => {
    expect((await server.allEvents()).length).toBe(eventsBefore);
    await server.close();
  });

  async function expectProblem(response: Response, status: number, type: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.type).toBe(`urn:duet:problem:${type}`);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:|node_modules|SELECT|stack/i);
    return body;
  }

  it.each([
    ['truncated JSON', '{"cartId":'],
    ['a bare string', '"victim"'],
    ['trailing garbage', '{"cartId":"victim"} x'],
    ['an empty body', ''],
  ])('given %s, when posted, then 400', async (_name, body) => {
    const response = await postJson(url('/commands/OpenCart'), body, shopper);
    expect(response.status).toBe(400);
    expect(response.status).toBeLessThan(500);
  });

  it('given wrong types, when posted, then 400 validation naming each path', async () => {
    const response = await postJson(
      url('/commands/AddItem'),
      { cartId: 7, sku: [], quantity: '2' },
      shopper,
    );
    const body = await expectProblem(response, 400, 'validation');
    expect(
      [...new Set((body.errors as { pointer: string }[]).map((error) => error.pointer))].sort(),
    ).toEqual(['/cartId', '/quantity', '/sku']);
  });

  it.each([
    ['an unknown field', { cartId: 'victim', colour: 'red' }, '/colour'],
    ['actor', { cartId: 'victim', actor: 'admin' }, '/actor'],
    ['tenant', { cartId: 'victim', tenant: 'other' }, '/tenant'],
    ['version', { cartId: 'victim', version: 99 }, '/version'],
    [
      'a nested unknown field',
      { cartId: 'victim', sku: 'a', quantity: 1, note: { text: 'x', by: 'y' } },
      '/note/by',
    ],
  ])('given %s in the body, when posted, then 400 naming it', async (_name, body, pointer) => {
    const path = 'sku' in body ? '/commands/AddItem' : '/commands/OpenCart';
    const problem = await expectProblem(
      await postJson(url(path), body, shopper),
      400,
      'validation',
    );
    expect(problem.errors).toEqual([{ pointer, detail: 'unknown property' }]);
  });

  it.each([
    ['__proto__', '{"cartId":"victim","__proto__":{"roles":["admin"]}}'],
    ['nested __proto__', '{"cartId":"victim","note":{"__proto__":{"x":1}}}'],
    ['constructor.prototype', '{"cartId":"victim","constructor":{"prototype":{"x":1}}}'],
  ])('given %s, when posted, then 400 and no prototype is touched', async (_name, body) => {
    await expectProblem(
      await postJson(url('/commands/OpenCart'), body, shopper),
      400,
      'malformed-json',
    );
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
  });

  it('given a body over the limit, when posted, then 413 body-too-large', async () => {
    const body = { cartId: 'victim', padding: 'x'.repeat(4_096) };
    await expectProblem(
      await postJson(url('/commands/OpenCart'), body, shopper),
      413,
      'body-too-large',
    );
  });

  it('given another media type, when posted, then 415', async () => {
    const response = await fetch(url('/commands/OpenCart'), {
      method: 'POST',
      headers: { ...shopper, 'content-type': 'text/plain' },
      body: 'cartId=victim',
    });
    await expectProblem(response, 415, 'unsupported-media-type');
  });

  it('given no credentials, when sending a command or a query, then 401 with WWW-Authenticate', async () => {
    const command = await postJson(url('/commands/OpenCart'), { cartId: 'victim' });
    await expectProblem(command, 401, 'unauthenticated');
    expect(command.headers.get('www-authenticate')).toContain('ApiKey');
    await expectProblem(await fetch(url('/queries/ListCarts')), 401, 'unauthenticated');
  });

  it('given the wrong role, when sending a command, then 403', async () => {
    const response = await postJson(
      url('/commands/OpenCart'),
      { cartId: 'new-one' },
      { 'x-api-key': 'viewer-key' },
    );
    await expectProblem(response, 403, 'forbidden');
  });

  it('given a business rule it breaks, when posted, then 422 with the rule', async () => {
    const response = await postJson(url('/commands/OpenCart'), { cartId: 'victim' }, shopper);
    const body = await expectProblem(response, 422, 'domain-rule');
    expect(body.rule).toBe('CART_OPEN');
  });

  it('given a huge page size, when querying, then it is clamped to maxPageSize', async () => {
    const get = await fetch(url('/queries/ListCarts?limit=1000000000'), { headers: shopper });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { limit: number }).limit).toBe(25);
    const post = await postJson(url('/queries/ListCarts'), { limit: 1e12 }, shopper);
    expect(((await post.json()) as { limit: number }).limit).toBe(25);
  });

  it('given bad query parameters, when querying, then 400 (unknown, wrong type, malformed position)', async () => {
    await expectProblem(
      await fetch(url('/queries/ListCarts?colour=red'), { headers: shopper }),
      400,
      'validation',
    );
    await expectProblem(
      await fetch(url('/queries/ListCarts?limit=ten'), { headers: shopper }),
      400,
      'validation',
    );
    await expectProblem(
      await fetch(url('/queries/ListCarts?__proto__=x'), { headers: shopper }),
      400,
      'validation',
    );
    await expectProblem(
      await fetch(url('/queries/ListCarts?minPosition=42'), { headers: shopper }),
      400,
      'validation',
    );
  });

  // Issue 13: PostgreSQL cannot store U+0000 and UTF-8 has no lone surrogates, so a store
  // failed on them with a 500; the edge refuses them for every route, naming the field.
  it.each([
    ['a NUL', 'o\u0000pen'],
    ['a lone surrogate', 'o\ud800pen'],
  ])(
    'given %s in a command body, when posted, then 400 validation naming the field',
    async (_name, text) => {
      const body = { cartId: 'victim', sku: text, quantity: 1, note: { text } };
      const problem = await expectProblem(
        await postJson(url('/commands/AddItem'), body, shopper),
        400,
        'validation',
      );
      expect((problem.errors as { pointer: string }[]).map((error) => error.pointer)).toEqual([
        '/sku',
        '/note/text',
      ]);
    },
  );

  it('given a NUL in a property name or an array item, when posted, then 400 naming it', async () => {
    const key = await expectProblem(
      await postJson(url('/queries/ListCarts'), '{"ids":["a"],"x\\u0000":1}', shopper),
      400,
      'validation',
    );
    expect(key.errors).toEqual([{ pointer: '/x\u0000', detail: expect.stringContaining('NUL') }]);
    const item = await expectProblem(
      await postJson(url('/queries/ListCarts'), { ids: ['a', 'b\u0000'] }, shopper),
      400,
      'validation',
    );
    expect(item.errors).toEqual([{ pointer: '/ids/1', detail: expect.stringContaining('NUL') }]);
  });

  it.each([
    ['a query parameter', '/queries/CartItems?cartId=%00'],
    ['a repeated query parameter', '/queries/ListCarts?ids=a&ids=%00'],
    ['a live query parameter', '/queries/CartItems/live?cartId=victim%00'],
    ['a query parameter name', '/queries/CartItems?cartId=victim&%00=1'],
    ['the path', '/commands/Open%00Cart'],
  ])('given a NUL in %s, when sent, then 400 validation', async (_name, path) => {
    const method = path.startsWith('/commands/') ? 'POST' : 'GET';
    const response = await fetch(url(path), {
      method,
      headers: { ...shopper, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{"cartId":"nul"}' } : {}),
    });
    const problem = await expectProblem(response, 400, 'validation');
    expect((problem.errors as unknown[]).length).toBe(1);
  });

  it('given a percent-encoded lone surrogate in a query parameter, when asked, then it stays text and is not a 5xx', async () => {
    // Fastify's query parser leaves an undecodable %-sequence as it is: well-formed text.
    const response = await fetch(url('/queries/CartItems?cartId=%ED%A0%80'), { headers: shopper });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ cartId: '%ED%A0%80' });
  });

  it.each([
    [
      'headers over Node’s 16 KiB maxHeaderSize',
      `x-padding: ${'a'.repeat(17_000)}`,
      431,
      'headers-too-large',
    ],
    ['a request line that is not HTTP', null, 400, 'bad-request'],
  ] as const)(
    'given %s, when sent, then a problem+json answer before any route (problemClientErrorHandler)',
    async (_name, header, status, type) => {
      const { port } = new URL(server.url);
      const request =
        header === null
          ? 'NOT HTTP AT ALL\r\n\r\n'
          : `GET /queries/ListCarts HTTP/1.1\r\nHost: 127.0.0.1\r\n${header}\r\n\r\n`;
      const raw = await sendRaw(Number(port), request);
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ type: `urn:duet:problem:${type}`, status });
    },
  );

  it('given a burst over the rate limit, when sent, then 429 with Retry-After', async () => {
    const burst = { 'x-api-key': 'burst-key' };
    const responses = await Promise.all(
      Array.from({ length: 70 }, () => fetch(url('/queries/ListCarts'), { headers: burst })),
    );
    const limited = responses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.every((response) => response.status < 500)).toBe(true);
    const first = limited[0] as Response;
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectProblem(first, 429, 'rate-limited');
    // Another principal has its own budget.
    expect((await fetch(url('/queries/ListCarts'), { headers: shopper })).status).toBe(200);
  });
});

/** Writes `request` on a plain TCP connection and resolves with all the server sent. */
function sendRaw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(request));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('close', () => resolve(received));
    socket.on('error', (error) => (received ? resolve(received) : reject(error)));
  });
}
