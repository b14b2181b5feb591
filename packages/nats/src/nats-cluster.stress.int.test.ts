import { randomBytes } from 'node:crypto';
import {
  createInMemoryEventStore,
  createIntegrationConsumer,
  createRelay,
  defineMessageStream,
  type RecordedEvent,
  UnavailableError,
} from '@duet/core';
import { createPostgresInbox } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { startNatsCluster } from '../test-support/nats-server-process.ts';
import {
  createEffects,
  OrderPlaced,
  orderContracts,
  recordEffect,
} from '../test-support/order-messages.ts';
import { scaled } from '../test-support/scale.ts';
import { openNatsTransport } from './open-nats-transport.ts';

// Issue 10, "Cluster": a three-node R3 JetStream cluster started by the test; one node is
// SIGKILLed mid-flow and restarted. Everything published is handled exactly once.

const EVENTS = scaled(2_000, 20_000);
const BATCH = 100;
const natsUrl = inject('natsUrl'); // only to know whether NATS tests run here at all

describe.skipIf(natsUrl === null)('a three-node JetStream cluster', () => {
  it(`given ${EVENTS} events relayed to an R3 stream, when a node is SIGKILLed mid-flow and restarted, then the consumer handles every event exactly once`, async () => {
    await using cluster = await startNatsCluster();
    await using db = await openTestDatabase({ kind: 'pglite' });
    await createEffects(db.executor, db.schema);
    const servers = cluster.map((node) => node.url);
    const warnings: string[] = [];
    await using transport = await openNatsTransport({
      servers,
      deadLetters: { replicas: 3 },
      warn: (message) => warnings.push(message),
    });
    const service = `orders_${randomBytes(4).toString('hex')}`;
    const stream = defineMessageStream({ service, replicas: 3 });
    await transport.ensureStreams([stream]);
    expect(warnings).toEqual([]);
    // A stream meant to be durable with one replica in a cluster is a loud warning.
    const single = defineMessageStream({ service: `${service}_single`, replicas: 1 });
    await transport.ensureStreams([single]);
    expect(warnings.join()).toMatch(
      /WARNING stream DUET_ORDERS_.*_SINGLE runs with 1 replica in cluster/,
    );

    const contracts = orderContracts(service);
    const store = createInMemoryEventStore();
    for (let i = 0; i < EVENTS; i++) {
      await store.append(`order-${i % 200}`, [
        OrderPlaced.create({ customer: `c${i}`, totalCents: i }),
      ]);
    }
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);

    const consumer = createIntegrationConsumer({
      name: 'history',
      transport,
      inbox: createPostgresInbox({ executor: db.executor, schema: db.schema }),
      source: stream,
      contracts,
      ackWaitMs: 2_000,
      maxDeliver: 100,
      handle: (message, { tx }) => recordEffect(tx, db.schema, 'history', message),
    });
    await consumer.start();

    // As the processor runner does: a batch that meets an unavailable broker is published again.
    const relay = createRelay({ contracts, transport, store });
    const signal = new AbortController().signal;
    let retries = 0;
    const victim = cluster[1]!;
    for (let at = 0; at < events.length; at += BATCH) {
      if (at === Math.floor(events.length / 3 / BATCH) * BATCH) await victim.kill('SIGKILL');
      if (at === Math.floor((2 * events.length) / 3 / BATCH) * BATCH) await victim.start();
      for (;;) {
        try {
          await relay.publish(events.slice(at, at + BATCH), { signal });
          break;
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          retries += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
    for (;;) {
      const { rows } = await db.executor.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${db.schema}".effects`,
      );
      if (rows[0]!.n >= EVENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await consumer.stop();
    const { rows } = await db.executor.query<{ ids: number; rows: number }>(
      `SELECT count(DISTINCT event_id)::int AS ids, count(*)::int AS rows FROM "${db.schema}".effects`,
    );
    expect(rows[0]).toEqual({ ids: EVENTS, rows: EVENTS });
    const { rows: missing } = await db.executor.query(
      `SELECT x FROM unnest($1::text[]) AS x EXCEPT SELECT event_id FROM "${db.schema}".effects`,
      [events.map((e) => e.id)],
    );
    expect(missing).toEqual([]);
    console.log(`cluster: ${EVENTS} events, node killed and restarted, ${retries} publish retries`);
  }, 600_000);
});
