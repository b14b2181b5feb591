import { createRelay, type Position } from '@duet/core';
import { openNatsTransport } from '@duet/nats';
import { testDeadLetters } from '@duet/nats/testing';
import { createPgExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import { seedEvents } from '../project/seed-events.ts';
import type { BenchNats } from './bench-nats.ts';
import { countingTransport, sameMessages } from './counting-transport.ts';
import { ordersService } from './orders-service.ts';
import { rawPublish, relayMessages } from './raw-publish.ts';
import { openRelayCpuWindow } from './relay-cpu.ts';
import { peakRssMb, round } from './relay-lines.ts';
import { RELAY_RUNNER_SETTINGS, runRelay } from './run-relay.ts';

/** Acks outstanding at once, for the relay's transport and the raw publish alike (the transport's default). */
export const PUBLISH_WINDOW = 256;
const PUBLISH_TIMEOUT_MS = 5_000;
const SCHEMA = 'orders';
/** A relay that has not reached the head by then has stalled. */
const RELAY_TIMEOUT_MS = 600_000;

export interface ThroughputOptions {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly events: number;
  readonly nats: BenchNats;
  /** Called with every stream the run creates, so it is deleted at the end whatever happens. */
  readonly track: (streamName: string) => void;
}

const progress = (text: string) => process.stderr.write(`  ${text}\n`);

/**
 * Seeds `events` order events into a fresh store, then publishes the same messages three
 * times, each into an empty stream of the same name and subjects: raw async publish,
 * the relay (timed from the runner's start to the batch whose checkpoint reaches the
 * head, that is every event acknowledged), raw again. The raw rounds bracket the relay,
 * so a change of load shows up as a gap between them. Resolves to the result lines.
 */
export async function runRelayThroughput(options: ThroughputOptions): Promise<object[]> {
  const { nats, events } = options;
  const executor = createPgExecutor({ connectionString: options.databaseUrl });
  const checkpoints = createPgExecutor({ connectionString: options.databaseUrl });
  const orders = ordersService();
  options.track(orders.stream.name);
  const deadLetters = testDeadLetters();
  options.track(deadLetters.stream);
  const inner = await openNatsTransport({
    servers: options.natsUrl,
    publishWindow: PUBLISH_WINDOW,
    publishTimeoutMs: PUBLISH_TIMEOUT_MS,
    deadLetters,
    warn: (message) => progress(`nats: ${message}`),
  });
  const store = createPostgresEventStore({ executor, schema: SCHEMA });
  try {
    await migrate(executor, { schema: SCHEMA });
    const seedStarted = performance.now();
    const seeded = await seedEvents(
      { events, streams: Math.min(10_000, events), writers: 8, appendSize: 10 },
      async (stream, batch, version) => {
        await store.append(stream, batch, {
          expectedVersion: version === 0 ? 'no_stream' : version,
        });
      },
    );
    const head = await store.headPosition();
    await executor.query('ANALYZE');
    progress(
      `seeded ${seeded} events in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );
    await inner.ensureStreams([orders.stream]);

    const raw = async (roundNumber: number) => {
      const messages = await relayMessages(store, orders.contracts);
      await nats.resetStream(orders.stream);
      const cpu = await openRelayCpuWindow(options.databaseUrl);
      const result = await rawPublish(
        nats.connection,
        messages,
        PUBLISH_WINDOW,
        PUBLISH_TIMEOUT_MS,
      );
      const breakdown = await cpu.close();
      const line = {
        workload: 'relay',
        system: 'raw-publish',
        round: roundNumber,
        events: messages.length,
        events_per_sec: Math.round(messages.length / result.seconds),
        seconds: round(result.seconds),
        acked: result.acked,
        stored: await nats.storedCount(orders.stream.name),
        duplicates: result.duplicates,
        publish_window: PUBLISH_WINDOW,
        payload_bytes_avg: Math.round(
          messages.reduce((sum, m) => sum + m.payload.length, 0) / Math.max(1, messages.length),
        ),
        ...(breakdown ?? {}),
        peak_rss_mb: peakRssMb(),
        settings: `@nats-io/jetstream js.publish, ${PUBLISH_WINDOW} acks outstanding, same subjects, headers and Nats-Msg-Id as the relay, pre-built in memory`,
      };
      progress(`raw-publish r${roundNumber}: ${line.events_per_sec} events/s`);
      return { line, messages };
    };

    const first = await raw(1);
    first.messages.length = 0;

    await nats.resetStream(orders.stream);
    const { transport, counts } = countingTransport(inner);
    const relay = createRelay({ contracts: orders.contracts, transport, store });
    let batches = 0;
    let reachedHead: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      reachedHead = resolve;
    });
    const cpu = await openRelayCpuWindow(options.databaseUrl);
    let cpuOpen = true;
    let running: Awaited<ReturnType<typeof runRelay>> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let seconds: number;
    let breakdown: Awaited<ReturnType<typeof cpu.close>>;
    try {
      const started = performance.now();
      running = await runRelay({
        relay,
        store: { executor, schema: SCHEMA },
        checkpoints,
        onBatch: (batch) => {
          batches += 1;
          if ((batch.position as Position) >= head) reachedHead();
        },
      });
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`relay did not reach the head in ${RELAY_TIMEOUT_MS} ms`)),
            RELAY_TIMEOUT_MS,
          );
        }),
      ]);
      seconds = (performance.now() - started) / 1000;
      cpuOpen = false;
      breakdown = await cpu.close();
    } finally {
      clearTimeout(timer);
      // Its monitor's connection must not outlive the run: the database is dropped with FORCE.
      if (cpuOpen) await cpu.close().catch(() => null);
      await running?.stop();
    }
    const duet = {
      workload: 'relay',
      system: 'duet',
      events: seeded,
      events_per_sec: Math.round(seeded / seconds),
      seconds: round(seconds),
      published: counts.messages,
      stored: await nats.storedCount(orders.stream.name),
      duplicates: counts.duplicates,
      batches,
      events_per_batch: batches > 0 ? Math.round(seeded / batches) : 0,
      publish_share_pct: Math.round((counts.publishMs / 1000 / seconds) * 1000) / 10,
      publish_window: PUBLISH_WINDOW,
      ...(breakdown ?? {}),
      peak_rss_mb: peakRssMb(),
      settings: `${RELAY_RUNNER_SETTINGS}; openNatsTransport publishWindow ${PUBLISH_WINDOW}; store and runner each a createPgExecutor pool of 10`,
    };
    progress(`duet relay: ${duet.events_per_sec} events/s (${batches} batches)`);

    const second = await raw(2);
    const same = sameMessages(counts.sample, second.messages);
    const rawMean = (first.line.events_per_sec + second.line.events_per_sec) / 2;
    const ratio = {
      workload: 'relay',
      events: seeded,
      events_per_sec: duet.events_per_sec,
      raw_events_per_sec: Math.round(rawMean),
      ratio_to_raw: Math.round((duet.events_per_sec / rawMean) * 1000) / 1000,
      goal_ratio_to_raw: 0.5,
      same_messages: same,
      correct:
        duet.stored === seeded && first.line.stored === seeded && second.line.stored === seeded,
      peak_rss_mb: peakRssMb(),
    };
    return [first.line, duet, second.line, ratio];
  } finally {
    await store.close();
    await inner.close();
    await checkpoints.close();
    await executor.close();
  }
}
