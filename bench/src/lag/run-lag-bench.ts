import { StaleReadError } from '@duet/core';
import { createBenchDatabase } from '../database/bench-database.ts';
import { createLatencyRecorder } from '../measure/latency-recorder.ts';
import { peakRssMb } from '../measure/peak-rss.ts';
import { runTimedWriters } from '../measure/run-timed-writers.ts';
import { openCpuWindow } from '../project/cpu-window.ts';
import { machineInfo } from '../report/machine-info.ts';
import { runOpenLoop } from './open-loop.ts';
import {
  AddItem,
  lagSettings,
  ORDERS,
  OrderSummaryQuery,
  openShopFlow,
  type ShopFlow,
} from './shop-flow.ts';

export interface LagBenchOptions {
  readonly json: boolean;
  readonly databaseUrl: string;
  /** Commands per second; null: measure the command capacity, then run at `CAPACITY_FRACTIONS` of it. */
  readonly rate: number | null;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** The projection runner in a process of its own (as the shop's services deploy it). */
  readonly runnerProcess: boolean;
}

/** The shares of the measured command capacity the lag is measured at (issue 14). */
export const CAPACITY_FRACTIONS = [0.25, 0.5, 0.75] as const;

/** How long a query waits for its position before it counts as a stale read. */
const QUERY_TIMEOUT_MS = 5_000;

/**
 * The lag workload: commands at `rate` per second for `seconds` (after `warmupSeconds`
 * unmeasured at the same rate), open loop; each command is followed by a query that asks
 * for the command's position. Command-to-visible time runs from the command's planned start
 * to the query's answer; an answer that does not show the command's event, or a
 * StaleReadError, is a stale read.
 */
export async function runLagBench(options: LagBenchOptions): Promise<void> {
  const machine = await machineInfo(options.databaseUrl);
  if (options.json) printLine(machine);
  const db = await createBenchDatabase(options.databaseUrl, 'lag');
  const onSignal = () => {
    process.stderr.write('lag: interrupted, dropping the bench database\n');
    void db.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const flow = await openShopFlow(db.url, { runnerProcess: options.runnerProcess });
    try {
      if (options.rate !== null) {
        await measureLag(flow, db.url, options, options.rate, null);
      } else {
        const capacity = await measureCapacity(flow, options);
        if (options.json) printLine(capacity);
        else process.stdout.write(`${JSON.stringify(capacity, null, 2)}\n`);
        for (const fraction of CAPACITY_FRACTIONS) {
          const rate = Math.max(1, Math.round(capacity.commands_per_sec * fraction));
          await measureLag(flow, db.url, options, rate, {
            fraction,
            commandsPerSec: capacity.commands_per_sec,
          });
        }
      }
    } finally {
      await flow.close();
    }
  } finally {
    await db.drop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Commands at `rate` per second for `seconds` after `warmupSeconds` at the same rate, open
 * loop, each followed by its query; prints the line (with the share of the capacity it is,
 * when it is one).
 */
async function measureLag(
  flow: ShopFlow,
  databaseUrl: string,
  options: LagBenchOptions,
  rate: number,
  capacity: { readonly fraction: number; readonly commandsPerSec: number } | null,
): Promise<void> {
  const visible = createLatencyRecorder();
  const command = createLatencyRecorder();
  const query = createLatencyRecorder();
  let stale = 0;
  let timeouts = 0;
  let errors = 0;
  let measuredDone = 0;
  let lastDoneMs = 0;
  const warmupCount = Math.round(rate * options.warmupSeconds);
  const measuredCount = Math.round(rate * options.seconds);

  const op = async (index: number, plannedMs: number) => {
    const measured = index >= warmupCount;
    const orderIndex = index % ORDERS;
    try {
      const result = await flow.commands.send(AddItem.create({ orderIndex }));
      const answeredAt = performance.now();
      const commandMs = answeredAt - plannedMs;
      const summary = await flow.queries.ask(
        OrderSummaryQuery,
        { stream: result.stream },
        { consistency: { minPosition: result.position, timeoutMs: QUERY_TIMEOUT_MS } },
      );
      const now = performance.now();
      if (!measured) return;
      command.record(commandMs);
      query.record(now - answeredAt);
      visible.record(now - plannedMs);
      if (summary.lastVersion < result.streamVersion) stale += 1;
      measuredDone += 1;
      lastDoneMs = Math.max(lastDoneMs, now);
    } catch (error) {
      if (!measured) return;
      if (error instanceof StaleReadError) {
        stale += 1;
        timeouts += 1;
      } else {
        errors += 1;
        if (errors <= 3) process.stderr.write(`lag: ${String(error)}\n`);
      }
    }
  };

  process.stderr.write(
    `lag: ${rate} commands/s, ${options.warmupSeconds} s warm-up + ${options.seconds} s measured\n`,
  );
  const startMs = performance.now() + 50;
  let batchesAtStart = { ...flow.batches };
  let tripsAtStart = flow.roundTrips();
  const batchTimer = setTimeout(
    () => {
      batchesAtStart = { ...flow.batches };
      tripsAtStart = flow.roundTrips();
    },
    Math.max(0, startMs + options.warmupSeconds * 1000 - performance.now()),
  );
  const measuredStartMs = startMs + (warmupCount * 1000) / rate;
  let cpu: Awaited<ReturnType<typeof openCpuWindow>> | null = null;
  const cpuTimer = setTimeout(
    () => {
      const runnerPid = flow.runnerPid ?? undefined;
      void openCpuWindow(databaseUrl, runnerPid === undefined ? {} : { runnerPid }).then(
        (window) => {
          cpu = window;
        },
      );
    },
    Math.max(0, measuredStartMs - performance.now()),
  );
  const loop = await runOpenLoop(warmupCount + measuredCount, rate, startMs, op);
  clearTimeout(cpuTimer);
  clearTimeout(batchTimer);
  const batchCount = flow.batches.count - batchesAtStart.count;
  const trips = flow.roundTrips();
  const perCommand = (now: number, before: number) =>
    Math.round(((now - before) / measuredCount) * 10) / 10;
  const breakdown =
    cpu === null ? null : await (cpu as Awaited<ReturnType<typeof openCpuWindow>>).close();
  const v = visible.summary();
  const c = command.summary();
  const q = query.summary();
  const elapsed = (lastDoneMs - measuredStartMs) / 1000;
  const result = {
    workload: 'lag',
    system: 'duet',
    runner: options.runnerProcess ? 'own process' : 'in process',
    rate,
    ...(capacity === null
      ? {}
      : {
          capacity_fraction: capacity.fraction,
          capacity_commands_per_sec: capacity.commandsPerSec,
        }),
    seconds: options.seconds,
    p50_ms: round(v.p50),
    p99_ms: round(v.p99),
    achieved_rate: elapsed > 0 ? Math.round(measuredDone / elapsed) : 0,
    stale_reads: stale,
    max_ms: round(v.max),
    commands: measuredCount,
    answered: measuredDone,
    stale_read_timeouts: timeouts,
    errors,
    command_p50_ms: round(c.p50),
    command_p99_ms: round(c.p99),
    query_p50_ms: round(q.p50),
    query_p99_ms: round(q.p99),
    runner_batches: batchCount,
    runner_events_per_batch:
      batchCount > 0 ? round((flow.batches.events - batchesAtStart.events) / batchCount) : 0,
    runner_batch_ms: batchCount > 0 ? round((flow.batches.ms - batchesAtStart.ms) / batchCount) : 0,
    store_round_trips_per_command: perCommand(trips.store, tripsAtStart.store),
    runner_round_trips_per_command: perCommand(trips.runner, tripsAtStart.runner),
    query_round_trips_per_command: perCommand(trips.queries, tripsAtStart.queries),
    max_in_flight: loop.maxInFlight,
    max_late_start_ms: round(loop.lateStartsMs),
    warmup_seconds: options.warmupSeconds,
    history_events: flow.history,
    ...(breakdown ?? {}),
    settings: lagSettings(options.runnerProcess),
  };
  process.stderr.write(
    `  duet: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${result.achieved_rate}/s, stale ${stale}, errors ${errors}\n`,
  );
  if (options.json) printLine(result);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/**
 * The command capacity: `CAPACITY_CLIENTS` closed loops sending the flow's command (no
 * query) for `seconds` after `warmupSeconds`; what a rate of the lag is a share of.
 */
async function measureCapacity(flow: ShopFlow, options: LagBenchOptions) {
  process.stderr.write(
    `lag: command capacity, ${CAPACITY_CLIENTS} closed loops, ${options.warmupSeconds} s warm-up + ${options.seconds} s measured\n`,
  );
  let next = 0;
  const result = await runTimedWriters({
    writers: CAPACITY_CLIENTS,
    warmupMs: options.warmupSeconds * 1000,
    measureMs: options.seconds * 1000,
    step: async () => {
      const orderIndex = next % ORDERS;
      next += 1;
      await flow.commands.send(AddItem.create({ orderIndex }));
      return 1;
    },
  });
  const line = {
    workload: 'lag-capacity',
    system: 'duet',
    runner: options.runnerProcess ? 'own process' : 'in process',
    clients: CAPACITY_CLIENTS,
    seconds: options.seconds,
    commands_per_sec: Math.round(result.itemsPerSecond),
    command_p50_ms: round(result.latency.p50),
    command_p99_ms: round(result.latency.p99),
    peak_rss_mb: peakRssMb(),
  };
  process.stderr.write(`  duet: capacity ${line.commands_per_sec} commands/s\n`);
  return line;
}

/** Concurrent commands of the capacity run, as the other command benches use. */
const CAPACITY_CLIENTS = 64;

const round = (n: number) => Math.round(n * 1000) / 1000;

function printLine(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
