import { type BenchDatabase, createBenchDatabase } from '../database/bench-database.ts';
import { appendRatios } from '../report/append-ratios.ts';
import { appendTable } from '../report/append-table.ts';
import { machineInfo } from '../report/machine-info.ts';
import type { AppendShape } from './append-shape.ts';
import { shapeLabel } from './append-shape.ts';
import type { RoundConfig, ShapeResult } from './round-config.ts';
import { runRoundInChild } from './run-round-in-child.ts';

export interface AppendBenchOptions {
  readonly json: boolean;
  readonly store: 'postgres' | 'pglite' | 'all';
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly databaseUrl: string;
  readonly shapes: readonly AppendShape[];
}

type PlannedRound = Omit<RoundConfig, 'shapes' | 'warmupMs' | 'measureMs'>;

/**
 * The append workload: for each shape on PostgreSQL, Duet, then Emmett, then Duet again,
 * then raw INSERTs of the same shape, then raw INSERTs of Duet's own row into Duet's events
 * table (its indexes, none of its logic), with and without the category index; then every shape of Duet on in-memory PGlite. Each
 * run is a process of its own against a database (or schema) made for this run and
 * dropped afterwards.
 */
export async function runAppendBench(options: AppendBenchOptions): Promise<void> {
  const usesServer = options.store !== 'pglite';
  const machine = await machineInfo(usesServer ? options.databaseUrl : undefined);
  if (options.json) printLine(machine);

  const databases: BenchDatabase[] = [];
  const dropAll = () => Promise.allSettled(databases.map((db) => db.drop()));
  const onSignal = () => {
    process.stderr.write('append: interrupted, dropping bench databases\n');
    void dropAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: ShapeResult[] = [];
  try {
    const runs: { round: PlannedRound; shapes: readonly AppendShape[] }[] = [];
    if (usesServer) {
      const duetDb = await createBenchDatabase(options.databaseUrl, 'duet');
      databases.push(duetDb);
      const emmettDb = await createBenchDatabase(options.databaseUrl, 'emmett');
      databases.push(emmettDb);
      const rounds: PlannedRound[] = [
        { system: 'duet', store: 'postgres', round: 1, databaseUrl: duetDb.url, schema: 'duet_r1' },
        { system: 'emmett', store: 'postgres', round: 1, databaseUrl: emmettDb.url },
        { system: 'duet', store: 'postgres', round: 2, databaseUrl: duetDb.url, schema: 'duet_r2' },
        { system: 'raw-postgres', store: 'postgres', round: 1, databaseUrl: duetDb.url },
        { system: 'raw-duet-row', store: 'postgres', round: 1, databaseUrl: duetDb.url },
        {
          system: 'raw-duet-row-no-category',
          store: 'postgres',
          round: 1,
          databaseUrl: duetDb.url,
        },
      ];
      // Shape by shape, every system in turn: the figures compared with each other are
      // taken within half a minute, so a burst of other load skews one shape, not a system.
      for (const shape of options.shapes) {
        for (const round of rounds) runs.push({ round, shapes: [shape] });
      }
    }
    if (options.store !== 'postgres') {
      // One process for every shape: opening PGlite takes seconds.
      const round: PlannedRound = {
        system: 'duet',
        store: 'pglite',
        round: 1,
        schema: 'duet_bench',
      };
      runs.push({ round, shapes: options.shapes });
    }

    const report = (result: ShapeResult) => {
      results.push(result);
      process.stderr.write(`${progressLine(result)}\n`);
      if (options.json) printLine(result);
    };
    for (const { round, shapes } of runs) {
      const config: RoundConfig = {
        ...round,
        shapes,
        warmupMs: options.warmupSeconds * 1000,
        measureMs: options.seconds * 1000,
      };
      let reported = 0;
      await runRoundInChild(config, (result) => {
        reported += 1;
        report(result);
      }).catch((error: unknown) => {
        // The shapes a failed child never reached still get a line, saying why.
        const message = error instanceof Error ? error.message : String(error);
        for (const shape of shapes.slice(reported)) report(failedShape(round, shape, message));
      });
    }
  } finally {
    await dropAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const ratios = usesServer ? appendRatios(options.shapes, results) : [];
  if (options.json) {
    for (const ratio of ratios) printLine(ratio);
  } else {
    process.stdout.write(appendTable(machine, results, ratios));
  }
}

function failedShape(round: PlannedRound, shape: AppendShape, error: string): ShapeResult {
  return {
    workload: 'append',
    system: round.system,
    store: round.store,
    writers: shape.writers,
    batch: shape.batch,
    events_per_sec: 0,
    p50_ms: 0,
    p99_ms: 0,
    round: round.round,
    max_ms: 0,
    appends: 0,
    seconds: 0,
    error,
  };
}

function printLine(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function progressLine(r: ShapeResult): string {
  const label = `  ${shapeLabel(r).padEnd(6)} ${r.system} r${r.round} ${r.store}`.padEnd(34);
  if (r.error !== undefined) return `${label} failed: ${r.error}`;
  const rate = r.events_per_sec.toLocaleString('en-US').padStart(8);
  const other =
    typeof r.cpu_other_pct === 'number' ? `  (others used ${r.cpu_other_pct} % CPU)` : '';
  return `${label} ${rate} events/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms${other}`;
}
