import { createBenchDatabase } from '../database/bench-database.ts';
import { machineInfo } from '../report/machine-info.ts';
import { openBenchNats } from './bench-nats.ts';
import { runRelayE2e } from './relay-e2e.ts';
import { printLine } from './relay-lines.ts';
import { relayTable } from './relay-table.ts';
import { runRelayThroughput } from './relay-throughput.ts';

export interface RelayBenchOptions {
  readonly json: boolean;
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly events: number;
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
}

/**
 * The relay workload: throughput from the store to JetStream acks beside raw async
 * publish of the same messages, then end-to-end latency at each rate. One database
 * (`duet_bench_<random>_relay`, a schema per service) and streams of its own, all removed
 * at the end, also on Ctrl-C.
 */
export async function runRelayBench(options: RelayBenchOptions): Promise<void> {
  const nats = await openBenchNats(options.natsUrl);
  const machine = {
    ...(await machineInfo(options.databaseUrl)),
    nats: nats.serverVersion,
  };
  if (options.json) printLine(machine);
  const db = await createBenchDatabase(options.databaseUrl, 'relay');
  const streams: string[] = [];
  const track = (name: string) => {
    streams.push(name);
  };
  const cleanUp = async () => {
    await nats.deleteStreams(streams).catch(() => {});
    await nats.close().catch(() => {});
    await db.drop();
  };
  const onSignal = () => {
    process.stderr.write('relay: interrupted, deleting the bench streams and database\n');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const lines: object[] = [];
  const emit = (line: object) => {
    lines.push(line);
    if (options.json) printLine(line);
  };
  try {
    process.stderr.write(`relay: ${options.events} events, relay and raw publish\n`);
    const throughput = await runRelayThroughput({
      databaseUrl: db.url,
      natsUrl: options.natsUrl,
      events: options.events,
      nats,
      track,
    });
    for (const line of throughput) emit(line);
    for (const rate of options.rates) {
      emit(
        await runRelayE2e({
          databaseUrl: db.url,
          natsUrl: options.natsUrl,
          rate,
          seconds: options.seconds,
          warmupSeconds: options.warmupSeconds,
          track,
        }),
      );
    }
    if (!options.json) process.stdout.write(relayTable(machine, lines));
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
