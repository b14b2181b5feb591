import { cpuBreakdown, sampleCpu } from '../measure/cpu-breakdown.ts';
import { peakRssMb } from '../measure/peak-rss.ts';
import { runTimedWriters } from '../measure/run-timed-writers.ts';
import { type AppendShape, STREAMS_PER_WRITER, shapeLabel } from './append-shape.ts';
import type { AppendSystem } from './append-system.ts';
import { openBackendMonitor, type ServerPids } from './backend-monitor.ts';
import { benchEvents } from './bench-event.ts';
import type { RoundConfig, ShapeFigures, ShapeResult } from './round-config.ts';

type Measured = ShapeFigures & Record<string, number | string>;

/**
 * Runs every shape of a round against an opened system, one after another, and hands
 * each result to `report` as soon as it is known. A shape that fails is reported with
 * its error and the round goes on.
 */
export async function runRound(
  config: RoundConfig,
  system: AppendSystem,
  report: (result: ShapeResult) => Promise<void>,
): Promise<void> {
  const monitor = await openBackendMonitor(config.databaseUrl);
  try {
    for (const shape of config.shapes) {
      const base = {
        workload: 'append',
        system: config.system,
        store: config.store,
        writers: shape.writers,
        batch: shape.batch,
      } as const;
      let measured: Measured;
      try {
        measured = await runShape(config, system, shape, monitor.serverPids);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        measured = { ...NOTHING, error: message };
      }
      await report({ ...base, ...measured, round: config.round });
    }
  } finally {
    await monitor.close();
  }
}

const NOTHING: ShapeFigures = {
  events_per_sec: 0,
  p50_ms: 0,
  p99_ms: 0,
  max_ms: 0,
  appends: 0,
  seconds: 0,
};

async function runShape(
  config: RoundConfig,
  system: AppendSystem,
  shape: AppendShape,
  serverPids: () => Promise<ServerPids>,
): Promise<Measured> {
  const prefix = `bench-r${config.round}x${shapeLabel(shape)}`;
  const streams = Array.from({ length: shape.writers }, (_, writer) =>
    Array.from({ length: STREAMS_PER_WRITER }, (_, slot) => `${prefix}w${writer}s${slot}`),
  );
  const versions = new Int32Array(shape.writers * STREAMS_PER_WRITER);
  const session = await system.openSession(shape);
  try {
    const cpuBefore = sampleCpu();
    const result = await runTimedWriters({
      writers: shape.writers,
      warmupMs: config.warmupMs,
      measureMs: config.measureMs,
      step: async (writer, call) => {
        const slot = call % STREAMS_PER_WRITER;
        const index = writer * STREAMS_PER_WRITER + slot;
        const version = versions[index] ?? 0;
        const stream = streams[writer]?.[slot] ?? `${prefix}w${writer}s${slot}`;
        await session.append(
          writer,
          stream,
          version,
          benchEvents(writer, slot, version, shape.batch),
        );
        versions[index] = version + shape.batch;
        return shape.batch;
      },
    });
    const cpuAfter = sampleCpu();
    // Warm-up included; asked before the session closes, while its connections are open.
    const server = await serverPids();
    const cpu = cpuBreakdown(cpuBefore, cpuAfter, {
      clientPid: process.pid,
      serverPids: server.ours,
      foreignPids: server.foreign,
    });
    const extra = (await system.describeShape?.(prefix)) ?? {};
    return {
      events_per_sec: Math.round(result.itemsPerSecond),
      p50_ms: round3(result.latency.p50),
      p99_ms: round3(result.latency.p99),
      max_ms: round3(result.latency.max),
      appends: result.calls,
      seconds: result.windowMs / 1000,
      // The round's child process, every shape it ran so far included.
      peak_rss_mb: peakRssMb(),
      ...cpu,
      ...extra,
    };
  } finally {
    await session.close();
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
