import type { EventStore, InMemoryEventStore, RecordedEvent } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartServer, startCartServer } from '../../test-support/cart-server.ts';
import { apiKeyAuthentication } from '../auth/api-key-authentication.ts';
import type { StreamReadOptions } from '../duet-http-options.ts';

const keys = {
  'support-key': { id: 'sue', tenant: 'acme', roles: ['support'] },
  'shopper-key': { id: 'user-1', tenant: 'acme', roles: ['shopper'] },
};
const support = { 'x-api-key': 'support-key' };
const NDJSON = 'application/x-ndjson';
const ITEMS = 25;

interface Page {
  stream: string;
  version: number;
  events: RecordedEvent[];
  next: number | null;
}

async function seedCart(store: EventStore, stream: string, items: number): Promise<void> {
  await store.append(stream, [{ type: 'CartOpened', data: { cartId: stream } }]);
  await store.append(
    stream,
    Array.from({ length: items }, (_, i) => ({
      type: 'ItemAdded',
      data: { sku: `sku-${i}`, quantity: i + 1 },
    })),
  );
}

async function stored(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(stream)) events.push(event);
  return events;
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedEvent);

describe('reading streams over HTTP', () => {
  let server: CartServer;
  // A store the tests can make append while a read is under way (see the ndjson snapshot).
  let beforeInfo: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    server = await startCartServer((store) => ({
      authenticate: apiKeyAuthentication({ keys }),
      maxPageSize: 10,
      streams: {
        stores: { carts: withHook(store, () => beforeInfo?.()) },
        roles: ['support'],
      },
    }));
    await seedCart(server.store, 'cart-s1', ITEMS);
  });
  afterAll(() => server.close());

  it('given a stream, when its info is read, then 200 with its version and times, and the version as ETag', async () => {
    const response = await fetch(`${server.url}/streams/carts/cart-s1`, { headers: support });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${ITEMS + 1}"`);
    const info = (await response.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ stream: 'cart-s1', version: ITEMS + 1 });
    expect(typeof info.createdAt).toBe('string');
  });

  it('given a stream longer than a page, when its pages are followed by next, then every event comes once in version order, and the last page says next: null', async () => {
    const seen: RecordedEvent[] = [];
    let from: number | null = 1;
    let pages = 0;
    while (from !== null) {
      const response = await fetch(
        `${server.url}/streams/carts/cart-s1/events?fromVersion=${from}&limit=1000`,
        { headers: support },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const page = (await response.json()) as Page;
      // limit=1000 is lowered to the server's page size, 10.
      expect(page.events.length).toBeLessThanOrEqual(10);
      expect(page.version).toBe(ITEMS + 1);
      seen.push(...page.events);
      from = page.next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(
      (await stored(server.store, 'cart-s1')).map((event) => JSON.parse(JSON.stringify(event))),
    );
  });

  it('given direction=backward, when read, then the newest events come first and next walks down to version 1', async () => {
    const response = await fetch(
      `${server.url}/streams/carts/cart-s1/events?direction=backward&limit=4`,
      { headers: support },
    );
    const page = (await response.json()) as Page;
    expect(page.events.map((event) => event.streamVersion)).toEqual([26, 25, 24, 23]);
    expect(page.next).toBe(22);
    const last = (await (
      await fetch(
        `${server.url}/streams/carts/cart-s1/events?direction=backward&fromVersion=2&limit=4`,
        { headers: support },
      )
    ).json()) as Page;
    expect(last.events.map((event) => event.streamVersion)).toEqual([2, 1]);
    expect(last.next).toBeNull();
  });

  it('given Accept: application/x-ndjson, when read, then the whole stream comes as one event per line, page size regardless', async () => {
    const response = await fetch(`${server.url}/streams/carts/cart-s1/events`, {
      headers: { ...support, accept: NDJSON },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const events = lines(await response.text());
    expect(events).toEqual(
      (await stored(server.store, 'cart-s1')).map((event) => JSON.parse(JSON.stringify(event))),
    );
    const some = await fetch(`${server.url}/streams/carts/cart-s1/events?fromVersion=5&limit=3`, {
      headers: { ...support, accept: NDJSON },
    });
    expect(lines(await some.text()).map((event) => event.streamVersion)).toEqual([5, 6, 7]);
  });

  it('given events appended while a read is under way, when the read ends, then it holds the stream as it was at the request', async () => {
    await seedCart(server.store, 'cart-grow', 3);
    beforeInfo = async () => {
      beforeInfo = undefined;
      await server.store.append('cart-grow', [
        { type: 'ItemAdded', data: { sku: 'x', quantity: 1 } },
      ]);
    };
    // The append lands between the request's version and its first page.
    const response = await fetch(`${server.url}/streams/carts/cart-grow/events`, {
      headers: { ...support, accept: NDJSON },
    });
    const events = lines(await response.text());
    expect((await stored(server.store, 'cart-grow')).length).toBe(5);
    expect(events.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4]);
    expect(response.headers.get('etag')).toBe('"4"');
  });

  it('given a principal without the role, when it reads, then 403 forbidden; without credentials, 401', async () => {
    const shopper = await fetch(`${server.url}/streams/carts/cart-s1/events`, {
      headers: { 'x-api-key': 'shopper-key' },
    });
    expect(shopper.status).toBe(403);
    expect(await shopper.json()).toMatchObject({ type: 'urn:duet:problem:forbidden' });
    const anonymous = await fetch(`${server.url}/streams/carts/cart-s1`);
    expect(anonymous.status).toBe(401);
  });

  it('given a stream that does not exist, when read, then 404 not-found for its info and its events', async () => {
    for (const path of ['/streams/carts/cart-none', '/streams/carts/cart-none/events']) {
      const response = await fetch(`${server.url}${path}`, { headers: support });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ type: 'urn:duet:problem:not-found' });
    }
  });

  it.each([
    ['fromVersion=0', 'fromVersion'],
    ['fromVersion=1.5', 'fromVersion'],
    ['limit=abc', 'limit'],
    ['limit=99999999999999999999', 'limit'],
    ['direction=up', 'direction'],
    ['from=1', 'from'],
  ])('given ?%s, when read, then 400 validation naming %s', async (query, name) => {
    const response = await fetch(`${server.url}/streams/carts/cart-s1/events?${query}`, {
      headers: support,
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { type: string; errors: { pointer: string }[] };
    expect(problem.type).toBe('urn:duet:problem:validation');
    expect(problem.errors.map((error) => error.pointer)).toEqual([`/${name}`]);
  });

  it('given an unknown store name, when read, then 404', async () => {
    const response = await fetch(`${server.url}/streams/orders/cart-s1`, { headers: support });
    expect(response.status).toBe(404);
  });
});

describe('reading a long stream over HTTP, the client going away', () => {
  const EVENTS = 200_000;
  let server: CartServer;
  let finish = () => {};
  const reads = { yielded: 0, finished: new Promise<void>((resolve) => (finish = resolve)) };
  beforeAll(async () => {
    server = await startCartServer((store) => ({
      authenticate: apiKeyAuthentication({ keys }),
      streams: { stores: { carts: counting(store, reads, finish) }, roles: ['support'] },
    }));
    for (let from = 0; from < EVENTS; from += 10_000) {
      await server.store.append(
        'cart-long',
        Array.from({ length: 10_000 }, (_, i) => ({
          type: 'ItemAdded',
          data: { sku: `sku-${from + i}`, quantity: 1 },
        })),
      );
    }
  }, 120_000);
  afterAll(() => server.close());

  it('given a client that stops after the first bytes, when it aborts, then the server stops reading the stream long before its end', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/streams/carts/cart-long/events`, {
      headers: { ...support, accept: NDJSON },
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await reads.finished;
    // Backpressure: the server read as far as the socket's buffers took, not the stream.
    expect(reads.yielded).toBeGreaterThan(0);
    expect(reads.yielded).toBeLessThan(EVENTS / 2);
  }, 120_000);
});

describe('a read that fails after the response started', () => {
  let server: CartServer;
  beforeAll(async () => {
    server = await startCartServer((store) => ({
      authenticate: apiKeyAuthentication({ keys }),
      streams: { stores: { carts: failingAfter(store, 3_000) }, roles: ['support'] },
    }));
    await server.store.append(
      'cart-bad',
      Array.from({ length: 5_000 }, (_, i) => ({
        type: 'ItemAdded',
        data: { sku: `sku-${i}`, quantity: 1 },
      })),
    );
  });
  afterAll(() => server.close());

  it('given a store that throws mid-stream, when read as ndjson, then the response is cut short and the client sees an error, not a complete body', async () => {
    const response = await fetch(`${server.url}/streams/carts/cart-bad/events`, {
      headers: { ...support, accept: NDJSON },
    });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('the streams option', () => {
  it.each([
    ['no store', { stores: {}, roles: ['support'] }, 'streams.stores'],
    [
      'a store name with a capital',
      { stores: { Orders: {} }, roles: ['support'] },
      'streams.stores',
    ],
    [
      'a store that is none',
      { stores: { orders: {} }, roles: ['support'] },
      'streams.stores.orders',
    ],
    ['no role', 'store', 'streams.roles'],
  ])('given %s, when registered, then it is refused naming %s', async (_label, bad, name) => {
    const streams = (
      bad === 'store'
        ? (store: InMemoryEventStore) => ({ stores: { orders: store }, roles: [] })
        : () => bad
    ) as (store: InMemoryEventStore) => StreamReadOptions;
    await expect(startCartServer((store) => ({ streams: streams(store) }))).rejects.toThrow(
      `duetHttp option ${name}:`,
    );
  });
});

/** The store, calling `hook` after it read a stream's info and before it reports it. */
function withHook(store: InMemoryEventStore, hook: () => Promise<void> | undefined): EventStore {
  return {
    ...bound(store),
    async streamInfo(stream) {
      const info = await store.streamInfo(stream);
      await hook();
      return info;
    },
  };
}

/** The store, counting the events its `readStream` yields and noting when a read ends. */
function counting(
  store: InMemoryEventStore,
  reads: { yielded: number },
  finished: () => void,
): EventStore {
  return {
    ...bound(store),
    readStream: async function* (
      stream: string,
      options?: Parameters<EventStore['readStream']>[1],
    ) {
      try {
        for await (const event of store.readStream(stream, options)) {
          reads.yielded += 1;
          yield event;
        }
      } finally {
        finished();
      }
    } as EventStore['readStream'],
  };
}

/** The store, its `readStream` throwing after `after` events. */
function failingAfter(store: InMemoryEventStore, after: number): EventStore {
  return {
    ...bound(store),
    readStream: async function* (
      stream: string,
      options?: Parameters<EventStore['readStream']>[1],
    ) {
      let count = 0;
      for await (const event of store.readStream(stream, options)) {
        if (++count > after) throw new Error('the disk is on fire');
        yield event;
      }
    } as EventStore['readStream'],
  };
}

function bound(store: InMemoryEventStore): EventStore {
  return {
    append: store.append.bind(store),
    readStream: store.readStream.bind(store),
    readAll: store.readAll.bind(store),
    subscribe: store.subscribe.bind(store),
    streamInfo: store.streamInfo.bind(store),
    headPosition: store.headPosition.bind(store),
  };
}
