import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CartServer,
  postJson,
  problemType,
  startCartServer,
} from '../../test-support/cart-server.ts';
import { apiKeyAuthentication } from '../auth/api-key-authentication.ts';

const shopper = { 'x-api-key': 'shopper-key' };

describe('command and query routes over HTTP', () => {
  let server: CartServer;
  beforeAll(async () => {
    server = await startCartServer({
      authenticate: apiKeyAuthentication({
        keys: { 'shopper-key': { id: 'user-1', tenant: 'acme', roles: ['shopper'] } },
      }),
      readiness: async () => ({ ready: true, details: { projections: { carts: { lag: 0 } } } }),
    });
  });
  afterAll(() => server.close());

  it('given a valid command, when posted, then 200 with stream, version and position, and the position in Duet-Position', async () => {
    const response = await postJson(`${server.url}/commands/OpenCart`, { cartId: 'r1' }, shopper);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ stream: 'cart-r1', streamVersion: 1 });
    expect(response.headers.get('duet-position')).toBe(body.position);
    expect(response.headers.get('etag')).toBe('"1"');
  });

  it('given a command, when it runs, then actor and tenant in the events come from the principal', async () => {
    await postJson(
      `${server.url}/commands/OpenCart`,
      { cartId: 'r2' },
      { ...shopper, 'correlation-id': 'corr-1' },
    );
    const event = (await server.allEvents()).find((e) => e.stream === 'cart-r2');
    expect(event?.metadata).toMatchObject({
      actor: 'user-1',
      tenant: 'acme',
      correlationId: 'corr-1',
    });
  });

  it('given If-Match with the current version, when posted, then it runs; with an old one, then 412 and nothing changes', async () => {
    await postJson(`${server.url}/commands/OpenCart`, { cartId: 'r3' }, shopper);
    const add = { cartId: 'r3', sku: 'a', quantity: 1 };
    const ok = await postJson(`${server.url}/commands/AddItem`, add, {
      ...shopper,
      'if-match': '"1"',
    });
    expect(ok.status).toBe(200);
    const before = (await server.allEvents()).length;
    const stale = await postJson(`${server.url}/commands/AddItem`, add, {
      ...shopper,
      'if-match': '"1"',
    });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({
      type: 'urn:duet:problem:concurrency',
      expectedVersion: 1,
      actualVersion: 2,
    });
    expect((await server.allEvents()).length).toBe(before);
    const malformed = await postJson(`${server.url}/commands/AddItem`, add, {
      ...shopper,
      'if-match': 'W/"2"',
    });
    expect(malformed.status).toBe(400);
  });

  it('given GET with typed query-string parameters, when asked, then they are coerced from the schema', async () => {
    await server.readModel.catchUp();
    const response = await fetch(
      `${server.url}/queries/ListCarts?limit=2&onlyWithItems=false&ids=r1&ids=r2`,
      { headers: shopper },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ carts: ['r1', 'r2'], limit: 2 });
    const single = await fetch(`${server.url}/queries/ListCarts?ids=r3`, { headers: shopper });
    expect(await single.json()).toEqual({ carts: ['r3'], limit: 10 });
  });

  it('given POST /queries/<type>, when asked, then the body holds the parameters', async () => {
    const response = await postJson(`${server.url}/queries/CartItems`, { cartId: 'r3' }, shopper);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ cartId: 'r3', items: [{ sku: 'a', quantity: 1 }] });
  });

  it('given a command position, when a query asks for it by header, then it waits for the read model (read-your-writes)', async () => {
    for (let index = 0; index < 20; index++) {
      const sent = await postJson(
        `${server.url}/commands/OpenCart`,
        { cartId: `ryw-${index}` },
        shopper,
      );
      const position = sent.headers.get('duet-position') ?? '';
      setTimeout(() => void server.readModel.catchUp(), 5);
      const response = await fetch(`${server.url}/queries/CartItems?cartId=ryw-${index}`, {
        headers: { ...shopper, 'duet-min-position': position },
      });
      expect(response.status).toBe(200);
      expect(server.readModel.position() >= position).toBe(true);
    }
  });

  it('given minPosition in the query string, when the read model stays behind, then 503 stale-read with Retry-After', async () => {
    const sent = await postJson(`${server.url}/commands/OpenCart`, { cartId: 'behind' }, shopper);
    const position = sent.headers.get('duet-position') ?? '';
    const response = await fetch(
      `${server.url}/queries/CartItems?cartId=behind&minPosition=${position}`,
      { headers: shopper },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: 'urn:duet:problem:stale-read',
      minPosition: position,
    });
    await server.readModel.catchUp();
  });

  it('given an unknown type or wrong method, when called, then 404 unknown-command/unknown-query or 405', async () => {
    const command = await postJson(`${server.url}/commands/Nope`, {}, shopper);
    expect(command.status).toBe(404);
    expect(await problemType(command)).toBe('urn:duet:problem:unknown-command');
    const query = await fetch(`${server.url}/queries/Nope`, { headers: shopper });
    expect(query.status).toBe(404);
    expect(await problemType(query)).toBe('urn:duet:problem:unknown-query');
    const wrong = await fetch(`${server.url}/commands/OpenCart`, { headers: shopper });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('given the health routes, when called without credentials, then live is 200 and ready reports details', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      details: { projections: { carts: { lag: 0 } } },
    });
  });

  it('given a readiness check that says no or throws, when /health/ready is called, then 503 without internals', async () => {
    for (const readiness of [
      async () => ({ ready: false, details: { lag: 1200 } }),
      async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432');
      },
    ]) {
      const other = await startCartServer({ readiness });
      const response = await fetch(`${other.url}/health/ready`);
      expect(response.status).toBe(503);
      expect(await response.text()).not.toContain('ECONNREFUSED');
      await other.close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 100) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('live queries over Server-Sent Events', () => {
  let server: CartServer;
  beforeAll(async () => {
    server = await startCartServer();
  });
  afterAll(() => server.close());

  /** Reads SSE events from a response until `count` results arrived. */
  async function readResults(response: Response, count: number, during: () => Promise<void>) {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const results: unknown[] = [];
    let text = '';
    let heartbeats = 0;
    let acted = false;
    while (results.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let end = text.indexOf('\n\n');
      while (end >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        if (block.startsWith(': heartbeat')) heartbeats++;
        const data = /^event: result\ndata: (.*)$/m.exec(block)?.[1];
        if (data !== undefined) results.push(JSON.parse(data));
        end = text.indexOf('\n\n');
      }
      if (results.length === 1 && !acted) {
        acted = true;
        await during();
      }
    }
    await reader.cancel();
    return { results, heartbeats };
  }

  it('given a live query, when the read model moves, then the new result is pushed, once per change', async () => {
    const server2 = server;
    // Anonymous requests are allowed here (no authenticate), but the policy wants a shopper.
    await server2.commandBus.send(
      { type: 'OpenCart', data: { cartId: 'live' } },
      { roles: ['shopper'] },
    );
    await server2.readModel.catchUp();
    const response = await fetch(`${server2.url}/queries/CartItems/live?cartId=live`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const { results } = await readResults(response, 2, async () => {
      await server2.commandBus.send(
        { type: 'AddItem', data: { cartId: 'live', sku: 'x', quantity: 2 } },
        { roles: ['shopper'] },
      );
      // A burst of movements: coalesced into one ask, sent once.
      await Promise.all([server2.readModel.catchUp(), server2.readModel.catchUp()]);
    });
    expect(results).toEqual([
      { cartId: 'live', items: [] },
      { cartId: 'live', items: [{ sku: 'x', quantity: 2 }] },
    ]);
    await until(() => server2.readModel.listenerCount() === 0);
  });

  it('given an idle live query, when time passes, then heartbeats are sent; when the client leaves, then it unsubscribes', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/queries/ListCarts/live`, {
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': heartbeat')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    expect(server.readModel.listenerCount()).toBe(1);
    controller.abort();
    await until(() => server.readModel.listenerCount() === 0);
  });
});
