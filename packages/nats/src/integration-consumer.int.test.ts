import { randomBytes } from 'node:crypto';
import {
  createInMemoryEventStore,
  createInProcessTransport,
  createIntegrationConsumer,
  createRelay,
  type IntegrationConsumer,
  type IntegrationMessage,
  type RecordedEvent,
  republishDeadLetters,
  type Transport,
  TransportConfigError,
  toTransportMessage,
} from '@duet/core';
import { createPostgresInbox, type SqlExecutor } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createEffects,
  OrderCancelled,
  OrderNoted,
  OrderPlaced,
  orderContracts,
  recordEffect,
} from '../test-support/order-messages.ts';
import { openNatsTransport } from './open-nats-transport.ts';
import { deleteStreams, testDeadLetters, testStream } from './testing/index.ts';

// Relay → transport → consumer with a PostgreSQL inbox (PGlite), on the in-process
// transport and on NATS: effects once, per-stream order, poison to dead letters, replay.

const natsUrl = inject('natsUrl');
const transports: Array<
  [string, () => Promise<{ transport: Transport; cleanup: (names: string[]) => Promise<void> }>]
> = [
  ['in-process', async () => ({ transport: createInProcessTransport(), cleanup: async () => {} })],
];
if (natsUrl !== null) {
  transports.push([
    'NATS',
    async () => {
      const deadLetters = testDeadLetters();
      const transport = await openNatsTransport({ servers: natsUrl, deadLetters });
      return {
        transport,
        cleanup: (names) => deleteStreams(natsUrl, [...names, deadLetters.stream]),
      };
    },
  ]);
} else {
  console.warn('skipping the NATS runs of the consumer tests: no NATS reachable');
}

describe.each(transports)('integration consumer on %s', (_name, open) => {
  let db: TestDatabase;
  let transport: Transport;
  let cleanup: (names: string[]) => Promise<void>;
  const streamNames: string[] = [];
  const running: IntegrationConsumer[] = [];

  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'pglite' });
    await createEffects(db.executor, db.schema);
    ({ transport, cleanup } = await open());
  });
  afterAll(async () => {
    for (const consumer of running) await consumer.stop();
    await transport.close();
    await cleanup(streamNames);
    await db.dispose();
  });

  const setUp = async (options: { failOn?: (m: IntegrationMessage) => boolean } = {}) => {
    const source = testStream('orders');
    streamNames.push(source.name);
    await transport.ensureStreams([source]);
    const contracts = orderContracts(source.service);
    const store = createInMemoryEventStore();
    const relay = createRelay({ contracts, transport, store });
    const name = `c_${randomBytes(4).toString('hex')}`;
    const failOn = { current: options.failOn };
    const consumer = createIntegrationConsumer({
      name,
      transport,
      inbox: createPostgresInbox({ executor: db.executor, schema: db.schema }),
      source,
      contracts,
      ackWaitMs: 2_000,
      maxDeliver: 3,
      backoffMs: [20, 50],
      handle: async (message, { tx }) => {
        if (failOn.current?.(message))
          throw new Error(`handler refuses ${message.stream}@${message.streamVersion}`);
        await recordEffect(tx, db.schema, name, message);
      },
    });
    running.push(consumer);
    await consumer.start();
    // Republishes from the start each time: what was published before comes back as duplicates.
    const relayAll = async () => {
      const events: RecordedEvent[] = [];
      for await (const event of store.readAll()) {
        if (relay.eventTypes?.includes(event.type)) events.push(event);
      }
      await relay.publish(events, { signal: new AbortController().signal });
      return events;
    };
    return { source, contracts, store, relay, relayAll, consumer, name, failOn };
  };

  const effects = (executor: SqlExecutor, consumer: string) =>
    executor
      .query<{
        event_id: string;
        stream: string;
        version: number;
        type: string;
        traceparent: string | null;
      }>(
        `SELECT event_id, stream, version, type, traceparent FROM "${db.schema}".effects WHERE consumer = $1 ORDER BY seq`,
        [consumer],
      )
      .then((r) => r.rows);
  const waitForEffects = async (consumer: string, count: number) => {
    for (;;) {
      const rows = await effects(db.executor, consumer);
      if (rows.length >= count) return rows;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const inStreamOrder = (rows: Array<{ stream: string; version: number }>) => {
    const last = new Map<string, number>();
    return rows.every((row) => {
      const ok = (last.get(row.stream) ?? 0) < row.version;
      last.set(row.stream, row.version);
      return ok;
    });
  };

  it('given published events of many streams with an unpublished type between, then each takes effect once, in stream order', async () => {
    const { store, relayAll, name } = await setUp();
    for (let i = 0; i < 20; i++) {
      await store.append(`order-${i}`, [OrderPlaced.create({ customer: `c${i}`, totalCents: i })]);
      await store.append(`order-${i}`, [OrderNoted.create({ note: 'gift wrap' })]);
      await store.append(`order-${i}`, [OrderCancelled.create({ reason: 'changed mind' })]);
    }
    await relayAll();
    const rows = await waitForEffects(name, 40);
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(40);
    expect(inStreamOrder(rows)).toBe(true);
    expect(rows.filter((r) => r.stream === 'order-3').map((r) => [r.version, r.type])).toEqual([
      [1, 'OrderPlaced'],
      [3, 'OrderCancelled'],
    ]);
  });

  it('given everything published again by a fresh relay and again past the broker’s duplicate window, then no effect is doubled', async () => {
    const { store, relayAll, contracts, name, source } = await setUp();
    for (let i = 0; i < 5; i++)
      await store.append(`order-${i}`, [OrderPlaced.create({ customer: 'a', totalCents: 1 })]);
    const events = await relayAll();
    await waitForEffects(name, 5);
    await createRelay({ contracts, transport, store }).publish(events, {
      signal: new AbortController().signal,
    });
    // Past the window the broker stores a copy: a new transport id for the same event.
    const copies = (await effects(db.executor, name)).map((row) =>
      toTransportMessage({
        id: row.event_id,
        service: source.service,
        type: row.type,
        subject: `${source.service}.${row.type}`,
        version: 1,
        stream: row.stream,
        streamVersion: row.version,
        previousVersion: 0,
        position: '0',
        occurredAt: new Date().toISOString(),
        data: { orderId: row.stream, customer: 'a', totalCents: 1 },
        metadata: {},
      }),
    );
    await transport.publish(copies.map((copy) => ({ ...copy, id: `${copy.id}:after-window` })));
    await store.append('order-last', [OrderPlaced.create({ customer: 'z', totalCents: 9 })]);
    await relayAll();
    const rows = await waitForEffects(name, 6);
    expect(rows).toHaveLength(6);
    expect(rows.at(-1)!.stream).toBe('order-last');
  });

  it('given a stream’s messages delivered newest first, then they take effect oldest first', async () => {
    const { source, name } = await setUp();
    const wire = [1, 2, 3].map((version) =>
      toTransportMessage({
        id: `${source.service}-s-${version}`,
        service: source.service,
        type: 'OrderCancelled',
        subject: `${source.service}.OrderCancelled`,
        version: 1,
        stream: 'order-s',
        streamVersion: version,
        previousVersion: version - 1,
        position: String(version),
        occurredAt: new Date().toISOString(),
        data: { orderId: 'order-s', reason: `r${version}` },
        metadata: {},
      }),
    );
    await transport.publish([...wire].reverse());
    const rows = await waitForEffects(name, 3);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('given poison (a contract violation, no headers, not JSON, a handler that keeps failing), then each is dead-lettered with its error, the rest flows, and after the fix a replay completes the effects', async () => {
    const { source, store, relayAll, consumer, name, failOn } = await setUp({
      failOn: (m) => m.stream === 'order-bad',
    });
    await store.append('order-bad', [OrderPlaced.create({ customer: 'x', totalCents: 5 })]);
    await store.append('order-good', [OrderPlaced.create({ customer: 'y', totalCents: 6 })]);
    await relayAll();
    const badContract = toTransportMessage({
      id: `${source.service}-neg`,
      service: source.service,
      type: 'OrderPlaced',
      subject: `${source.service}.OrderPlaced`,
      version: 1,
      stream: 'order-neg',
      streamVersion: 1,
      previousVersion: 0,
      position: '1',
      occurredAt: new Date().toISOString(),
      data: { orderId: 'order-neg', customer: 'n', totalCents: -1 },
      metadata: {},
    });
    await transport.publish([
      badContract,
      {
        id: `${source.service}-bare`,
        subject: `${source.service}.OrderPlaced`,
        headers: {},
        payload: '{}',
      },
      { ...badContract, id: `${source.service}-garbage`, payload: '{not json' },
    ]);
    await store.append('order-after', [OrderPlaced.create({ customer: 'w', totalCents: 7 })]);
    await relayAll();
    for (;;) {
      if ((await consumer.deadLetters()).length >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const letters = await consumer.deadLetters();
    const byStream = (id: string) => letters.find((l) => l.message.id === id);
    expect(byStream(`${source.service}-neg`)?.error).toMatch(/totalCents/);
    expect(byStream(`${source.service}-bare`)?.error).toMatch(/Duet-Event-Id: missing/);
    expect(byStream(`${source.service}-garbage`)?.error).toMatch(/not JSON/);
    const refused = letters.find((l) => l.message.headers['Duet-Stream'] === 'order-bad');
    expect(refused).toMatchObject({ attempts: 3 });
    expect(refused?.error).toMatch(/handler refuses order-bad@1/);
    const flowing = await waitForEffects(name, 2);
    expect(flowing.map((r) => r.stream).sort()).toEqual(['order-after', 'order-good']);

    failOn.current = undefined;
    expect(await consumer.replay(refused!.id)).toBe(1);
    const rows = await effects(db.executor, name);
    expect(rows.map((r) => r.stream).sort()).toEqual(['order-after', 'order-bad', 'order-good']);
    expect((await consumer.deadLetters()).map((l) => l.message.id).sort()).toEqual(
      [`${source.service}-bare`, `${source.service}-garbage`, `${source.service}-neg`].sort(),
    );
    // The unreadable ones are discarded: gone, and the handler never saw them.
    const garbage = (await consumer.deadLetters()).find(
      (l) => l.message.id === `${source.service}-garbage`,
    );
    expect(await consumer.discard(garbage!.id)).toBe(1);
    expect(await consumer.discard()).toBe(2);
    expect(await consumer.deadLetters()).toEqual([]);
    expect((await effects(db.executor, name)).length).toBe(rows.length);
  });

  it('given a dead letter republished from outside the consumer (as duet dead-letters retry --nats does), then the consumer that gave up handles it once and it leaves the dead letters', async () => {
    const { store, relayAll, consumer, name, failOn } = await setUp({
      failOn: (m) => m.stream === 'order-r',
    });
    await store.append('order-r', [OrderPlaced.create({ customer: 'r', totalCents: 1 })]);
    await relayAll();
    let letters = await consumer.deadLetters();
    while (letters.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      letters = await consumer.deadLetters();
    }
    failOn.current = undefined;
    const sent = await republishDeadLetters(transport, { consumer: name });
    expect(sent.map((letter) => letter.id)).toEqual(letters.map((letter) => letter.id));
    const rows = await waitForEffects(name, 1);
    expect(rows.map((r) => r.stream)).toEqual(['order-r']);
    expect(await consumer.deadLetters()).toEqual([]);
    // Sent again (a second retry): the inbox knows the event id; nothing is doubled.
    await transport.publish([{ ...letters[0]!.message, id: `${letters[0]!.message.id}:again` }]);
    await store.append('order-r2', [OrderPlaced.create({ customer: 'r', totalCents: 2 })]);
    await relayAll();
    expect((await waitForEffects(name, 2)).map((r) => r.stream)).toEqual(['order-r', 'order-r2']);
  });

  it('given a source stream set up differently from its definition, then start() fails with TransportConfigError', async () => {
    const { source, contracts } = await setUp();
    const consumer = createIntegrationConsumer({
      name: 'misconfigured',
      transport,
      inbox: createPostgresInbox({ executor: db.executor, schema: db.schema }),
      source: { ...source, duplicateWindowMs: source.duplicateWindowMs + 1_000 },
      contracts,
      handle: async () => {},
    });
    await expect(consumer.start()).rejects.toBeInstanceOf(TransportConfigError);
  });

  it('carries the trace context from the event’s metadata to the consumer', async () => {
    const { store, relayAll, name } = await setUp();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await store.append('order-t', [
      { ...OrderPlaced.create({ customer: 't', totalCents: 1 }), metadata: { traceparent } },
    ]);
    await relayAll();
    const [row] = await waitForEffects(name, 1);
    expect(row?.traceparent).toBe(traceparent);
  });
});
