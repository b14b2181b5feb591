import { createRelay } from '@duet/core';
import { openNatsTransport } from '@duet/nats';
import { testDeadLetters } from '@duet/nats/testing';
import { createPgExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import { runOpenLoop } from '../lag/open-loop.ts';
import { createLatencyRecorder } from '../measure/latency-recorder.ts';
import { orderEvent, orderStream } from '../project/order-events.ts';
import { openEffectService } from './effect-service.ts';
import { ordersService } from './orders-service.ts';
import { openRelayCpuWindow, type RelayCpu, type RelayCpuWindow } from './relay-cpu.ts';
import { peakRssMb, round } from './relay-lines.ts';
import { RELAY_RUNNER_SETTINGS, type RunningRelay, runRelay } from './run-relay.ts';

export interface E2eOptions {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly rate: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly track: (streamName: string) => void;
}

/** The orders the writer appends to, round robin, with their expected versions. */
const STREAMS = 10_000;
/** How long the effects may trail the last append before the run counts as stalled: 60 s, or 2 ms per event (a consumer at 500/s). */
const drainTimeoutMs = (events: number) => Math.max(60_000, events * 2);
/** The goal, at 1,000 events/s. */
const GOAL_P99_MS = 50;

/**
 * One rate of the end-to-end run, on fresh schemas and a fresh stream: service A's writer
 * appends one order event per call, open loop at `rate` (each at its planned time; latency
 * counts from that time, so queueing is not hidden); A's relay publishes; service B's
 * consumer writes one effect row per message in its inbox transaction. Latency is the
 * moment B's inbox transaction returned minus the append's planned start. Afterwards B's
 * effect table is checked against A's events.
 */
export async function runRelayE2e(options: E2eOptions): Promise<object> {
  const { rate } = options;
  const storeSchema = `orders_${rate}`;
  const executor = createPgExecutor({ connectionString: options.databaseUrl });
  const checkpoints = createPgExecutor({ connectionString: options.databaseUrl });
  const store = createPostgresEventStore({ executor, schema: storeSchema });
  const orders = ordersService();
  options.track(orders.stream.name);
  const deadLetters = testDeadLetters();
  options.track(deadLetters.stream);
  const transport = await openNatsTransport({
    servers: options.natsUrl,
    deadLetters,
    warn: (message) => process.stderr.write(`  nats: ${message}\n`),
  });
  const warmupCount = Math.round(rate * options.warmupSeconds);
  const measuredCount = Math.round(rate * options.seconds);
  const total = warmupCount + measuredCount;
  const planned = new Float64Array(total);
  const latency = createLatencyRecorder();
  const appendLatency = createLatencyRecorder();
  let effects = 0;
  let lastEffectMs = 0;
  let appended = 0;
  let appendErrors = 0;
  let relayBatches = 0;
  let relayEvents = 0;
  let relayMs = 0;
  const onEffect = (entry: { stream: string; streamVersion: number }, committedMs: number) => {
    const index = (entry.streamVersion - 1) * STREAMS + Number(entry.stream.slice('order-'.length));
    effects += 1;
    if (index >= warmupCount) {
      latency.record(committedMs - (planned[index] ?? committedMs));
      lastEffectMs = committedMs;
    }
  };
  const effectService = await openEffectService({
    databaseUrl: options.databaseUrl,
    natsUrl: options.natsUrl,
    schema: `shipping_${rate}`,
    source: orders,
    onEffect,
    track: options.track,
  });
  // The CPU window opens mid-run; its monitor's connection must not outlive a failed run.
  let closeCpu = async () => {};
  let running: RunningRelay | undefined;
  try {
    await migrate(executor, { schema: storeSchema });
    await transport.ensureStreams([orders.stream]);
    running = await runRelay({
      relay: createRelay({ contracts: orders.contracts, transport, store }),
      store: { executor, schema: storeSchema },
      checkpoints,
      onBatch: (batch) => {
        relayBatches += 1;
        relayEvents += batch.applied;
        relayMs += batch.ms;
      },
    });
    await effectService.consumer.start();
    process.stderr.write(
      `  relay-e2e: ${rate} events/s, ${options.warmupSeconds} s warm-up + ${options.seconds} s measured\n`,
    );

    const op = async (index: number, plannedMs: number) => {
      planned[index] = plannedMs;
      const order = index % STREAMS;
      const version = Math.floor(index / STREAMS) + 1;
      try {
        await store.append(orderStream(order), [orderEvent(order, version)], {
          expectedVersion: version === 1 ? 'no_stream' : version - 1,
        });
        appended += 1;
        if (index >= warmupCount) appendLatency.record(performance.now() - plannedMs);
      } catch (error) {
        appendErrors += 1;
        if (appendErrors <= 3)
          process.stderr.write(`  relay-e2e: append failed: ${String(error)}\n`);
      }
    };
    const startMs = performance.now() + 50;
    const measuredStartMs = startMs + (warmupCount * 1000) / rate;
    let cpu: Promise<RelayCpuWindow> | null = null;
    closeCpu = async () => {
      const open = cpu as Promise<RelayCpuWindow> | null;
      cpu = null;
      if (open) await (await open).close().catch(() => null);
    };
    const cpuTimer = setTimeout(
      () => {
        cpu = openRelayCpuWindow(options.databaseUrl);
      },
      Math.max(0, measuredStartMs - performance.now()),
    );
    const loop = await runOpenLoop(total, rate, startMs, op);
    clearTimeout(cpuTimer);
    // The effects of every appended event, before the CPU window closes.
    const waited = await waitUntil(() => effects >= appended, drainTimeoutMs(total));
    const window = cpu as Promise<RelayCpuWindow> | null;
    cpu = null;
    const breakdown: RelayCpu | null = window === null ? null : await (await window).close();
    await running.stop();
    running = undefined;
    await effectService.consumer.stop();
    const check = await effectService.check(storeSchema);
    const { correct: _effectsCorrect, ...counts } = check;
    const l = latency.summary();
    const a = appendLatency.summary();
    const elapsed = (lastEffectMs - measuredStartMs) / 1000;
    const line = {
      workload: 'relay-e2e',
      system: 'duet',
      rate,
      seconds: options.seconds,
      p50_ms: round(l.p50),
      p99_ms: round(l.p99),
      max_ms: round(l.max),
      goal_p99_ms: rate === 1_000 ? GOAL_P99_MS : null,
      achieved_rate: elapsed > 0 ? Math.round(l.count / elapsed) : 0,
      measured: l.count,
      correct: check.correct && waited && appendErrors === 0,
      ...counts,
      drained: waited,
      append_errors: appendErrors,
      append_p50_ms: round(a.p50),
      append_p99_ms: round(a.p99),
      max_in_flight: loop.maxInFlight,
      max_late_start_ms: round(loop.lateStartsMs),
      relay_batches: relayBatches,
      relay_events_per_batch: relayBatches > 0 ? round(relayEvents / relayBatches) : 0,
      relay_batch_ms: relayBatches > 0 ? round(relayMs / relayBatches) : 0,
      consumer_batches: effectService.batches.count,
      consumer_events_per_batch:
        effectService.batches.count > 0
          ? round(effectService.batches.messages / effectService.batches.count)
          : 0,
      consumer_tx_ms:
        effectService.batches.count > 0
          ? round(effectService.batches.ms / effectService.batches.count)
          : 0,
      warmup_seconds: options.warmupSeconds,
      ...(breakdown ?? {}),
      peak_rss_mb: peakRssMb(),
      settings: `one process; service A: store (group commit on) and relay (${RELAY_RUNNER_SETTINGS}), openNatsTransport defaults; service B: own schema, createPostgresInbox, own openNatsTransport, createIntegrationConsumer defaults (batch 100), one INSERT per message; three createPgExecutor pools of 10 (A store, A runner, B)`,
    };
    process.stderr.write(
      `  relay-e2e ${rate}/s: p50 ${line.p50_ms} ms, p99 ${line.p99_ms} ms, correct: ${line.correct}\n`,
    );
    return line;
  } finally {
    await closeCpu();
    await running?.stop();
    await effectService.close();
    await store.close();
    await transport.close();
    await checkpoints.close();
    await executor.close();
  }
}

/** Polls `done` every 10 ms; resolves true when it holds, false after `timeoutMs`. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
