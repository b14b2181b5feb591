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
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../scripts/reliability/report-figures.ts';
import { natsServerBinaryFound, startNatsCluster } from '../test-support/nats-server-process.ts';
import {
  createEffects,
  OrderPlaced,
  orderContracts,
  recordEffect,
} from '../test-support/order-messages.ts';
import { scaled } from '../test-support/scale.ts';
import { openNatsTransport } from './open-nats-transport.ts';

// Issue 10, "Cluster", and issue 13's S6: a three-node R3 JetStream cluster started by the
// test; one node is SIGKILLed mid-flow and restarted, then the stream's leader is paused
// with SIGSTOP (sockets open, no answers) and resumed. Everything the relay had
// acknowledged is in the stream once, and handled exactly once.

const EVENTS = scaled(2_000, 20_000);
const BATCH = 100;
const PAUSE_MS = 3_000;
const natsUrl = inject('natsUrl'); // only to know whether NATS tests run here at all
const binaryFound = natsServerBinaryFound();
if (natsUrl !== null && !binaryFound) {
  console.warn('skipping the three-node cluster test: no nats-server binary (set NATS_SERVER_BIN)');
}

describe.skipIf(natsUrl === null || !binaryFound)('a three-node JetStream cluster', () => {
  it(`given ${EVENTS} events relayed to an R3 stream, when a node is SIGKILLed mid-flow and restarted and the stream leader is paused for ${PAUSE_MS} ms, then every acknowledged event is in the stream once and the consumer handles each exactly once`, async () => {
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
    let acknowledged = 0;
    let paused: string | null = null;
    let resumed: Promise<void> = Promise.resolve();
    const victim = cluster[1]!;
    const batchAt = (fraction: number) => Math.floor((events.length * fraction) / BATCH) * BATCH;
    for (let at = 0; at < events.length; at += BATCH) {
      if (at === batchAt(1 / 4)) await victim.kill('SIGKILL');
      if (at === batchAt(2 / 4)) await victim.start();
      if (at === batchAt(3 / 4)) {
        // The leader stalls with its sockets open; a timer, not the relay, wakes it.
        const leader = await streamLeader(servers, stream.name);
        const node = cluster.find((n) => n.name === leader) ?? cluster[2]!;
        paused = node.name;
        node.pause();
        resumed = new Promise((resolve) => setTimeout(resolve, PAUSE_MS)).then(() => node.resume());
      }
      for (;;) {
        try {
          await relay.publish(events.slice(at, at + BATCH), { signal });
          acknowledged += Math.min(BATCH, events.length - at);
          break;
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          retries += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
    await resumed;
    for (;;) {
      const { rows } = await db.executor.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${db.schema}".effects`,
      );
      if (rows[0]!.n >= EVENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await consumer.stop();
    const inStream = await streamMessages(servers, stream.name);
    const { rows } = await db.executor.query<{ ids: number; rows: number }>(
      `SELECT count(DISTINCT event_id)::int AS ids, count(*)::int AS rows FROM "${db.schema}".effects`,
    );
    const { rows: missing } = await db.executor.query(
      `SELECT x FROM unnest($1::text[]) AS x EXCEPT SELECT event_id FROM "${db.schema}".effects`,
      [events.map((e) => e.id)],
    );
    reportFigures('S6', {
      events: EVENTS,
      acknowledged,
      nodesKilled: 1,
      nodesPaused: paused === null ? 0 : 1,
      pauseMs: PAUSE_MS,
      publishRetries: retries,
      streamMessages: inStream,
      missing: missing.length,
      duplicated: rows[0]!.rows - rows[0]!.ids,
    });
    expect(paused).not.toBeNull();
    expect(acknowledged).toBe(EVENTS);
    // The stream de-duplicates retried publishes by Nats-Msg-Id: each event once.
    expect(inStream).toBe(EVENTS);
    expect(rows[0]).toEqual({ ids: EVENTS, rows: EVENTS });
    expect(missing).toEqual([]);
    console.log(
      `cluster: ${EVENTS} events, a node killed and restarted, leader ${paused} paused ${PAUSE_MS} ms, ${retries} publish retries`,
    );
  }, 600_000);
});

/**
 * The stream's leader. Asked again until the cluster answers: right after a node restarts,
 * the server this connects to may still be catching up and let a JetStream request time
 * out (seen on a loaded machine). The test's timeout bounds the wait.
 */
async function streamLeader(servers: readonly string[], name: string): Promise<string | undefined> {
  for (;;) {
    const nc = await connect({ servers: [...servers] });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(name);
      return info.cluster?.leader;
    } catch (error) {
      if ((error as Error).name !== 'TimeoutError') throw error;
    } finally {
      await nc.close();
    }
  }
}

async function streamMessages(servers: readonly string[], name: string): Promise<number> {
  const nc = await connect({ servers: [...servers] });
  try {
    return (await (await jetstreamManager(nc)).streams.info(name)).state.messages;
  } finally {
    await nc.close();
  }
}
