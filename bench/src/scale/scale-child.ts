// One app process of the scale bench: Duet's store with its defaults (pool of 10, group
// commit) on the shared schema, `writers` closed loops appending one event each to streams
// of their own (100 per writer, round robin, with their expected versions), counted in the
// window the parent gives (wall clock, so every process counts the same window).
import { createPgExecutor, createPostgresEventStore } from '@duet/postgres';
import { benchEvents } from '../append/bench-event.ts';
import { createLatencyRecorder } from '../measure/latency-recorder.ts';
import { peakRssMb } from '../measure/peak-rss.ts';
import type {
  ScaleChildConfig,
  ScaleChildMessage,
  ScaleGo,
  ScaleReport,
} from './scale-messages.ts';

const STREAMS_PER_WRITER = 100;
const now = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  const configText = process.argv[2];
  if (!send || configText === undefined) throw new Error('started by the scale bench only');
  const config = JSON.parse(configText) as ScaleChildConfig;
  const post = (message: ScaleChildMessage) =>
    new Promise<void>((resolve, reject) =>
      send(message, undefined, undefined, (error) => (error ? reject(error) : resolve())),
    );
  const executor = createPgExecutor({ connectionString: config.databaseUrl });
  const store = createPostgresEventStore({ executor, schema: config.schema });
  try {
    const go = new Promise<ScaleGo>((resolve) =>
      process.once('message', (message: ScaleGo) => resolve(message)),
    );
    // Alive, with its connections open, until the parent has sampled the window's CPU.
    const report = go.then(
      () =>
        new Promise<ScaleReport>((resolve) =>
          process.once('message', (message: ScaleReport) => resolve(message)),
        ),
    );
    await post({ kind: 'ready' });
    const { startAt, warmupMs, measureMs } = await go;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - now())));
    const windowStart = startAt + warmupMs;
    const windowEnd = windowStart + measureMs;
    const latencies = createLatencyRecorder();
    let events = 0;
    let appended = 0;
    let errors = 0;
    let firstError: string | undefined;
    const writer = async (w: number) => {
      const versions = new Array<number>(STREAMS_PER_WRITER).fill(0);
      for (let call = 0; now() < windowEnd; call += 1) {
        const slot = call % STREAMS_PER_WRITER;
        const version = versions[slot] ?? 0;
        const before = now();
        try {
          await store.append(`p${config.process}w${w}s${slot}`, benchEvents(w, slot, version, 1), {
            expectedVersion: version === 0 ? 'no_stream' : version,
          });
          versions[slot] = version + 1;
          appended += 1;
        } catch (error) {
          errors += 1;
          firstError ??= (error as Error).message;
          continue;
        }
        const after = now();
        if (after >= windowStart && after <= windowEnd) {
          events += 1;
          latencies.record(after - before);
        }
      }
    };
    await Promise.all(Array.from({ length: config.writers }, (_, w) => writer(w)));
    const summary = latencies.summary();
    await report;
    await post({
      kind: 'result',
      events,
      appended,
      p50_ms: Math.round(summary.p50 * 1000) / 1000,
      p99_ms: Math.round(summary.p99 * 1000) / 1000,
      peak_rss_mb: peakRssMb(),
      errors,
      ...(firstError === undefined ? {} : { error: firstError }),
    });
  } finally {
    await store.close();
    await executor.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`scale child failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exit(1);
  },
);
