import type { AppendShape } from '../append/append-shape.ts';
import { type BenchDatabase, createBenchDatabase } from '../database/bench-database.ts';
import { formatTable } from '../report/format-table.ts';
import { machineInfo } from '../report/machine-info.ts';
import { runTenancyInChild } from './run-tenancy-in-child.ts';
import type { TenancyJob, TenancyResult } from './tenancy-config.ts';
import { commandRatios, tenancyRatios } from './tenancy-ratios.ts';

export interface TenancyBenchOptions {
  readonly json: boolean;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly databaseUrl: string;
  readonly shapes: readonly AppendShape[];
  readonly tenants: readonly number[];
  readonly command: boolean;
}

/**
 * `append --tenants 1,8` and `append --shapes command`: Duet's append shapes and reads on
 * the plain and the tenant-isolated executor (one process, one database), then the command
 * shape on Duet (plain, isolated, by hand) and on Emmett (its own process and database).
 * Databases are made for the run and dropped at the end, also on Ctrl-C.
 */
export async function runTenancyBench(options: TenancyBenchOptions): Promise<void> {
  const machine = await machineInfo(options.databaseUrl);
  if (options.json) printLine(machine);
  const databases: BenchDatabase[] = [];
  const dropAll = () => Promise.allSettled(databases.map((db) => db.drop()));
  const onSignal = () => {
    process.stderr.write('append: interrupted, dropping bench databases\n');
    void dropAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: TenancyResult[] = [];
  const timing = { warmupMs: options.warmupSeconds * 1000, measureMs: options.seconds * 1000 };
  try {
    const duetDb = await createBenchDatabase(options.databaseUrl, 'tenancy');
    databases.push(duetDb);
    const jobs: TenancyJob[] = [];
    if (options.tenants.length > 0 && options.shapes.length > 0) {
      jobs.push({
        kind: 'tenancy',
        databaseUrl: duetDb.url,
        shapes: options.shapes,
        tenants: options.tenants,
        ...timing,
      });
    }
    if (options.command) {
      const emmettDb = await createBenchDatabase(options.databaseUrl, 'emmett');
      databases.push(emmettDb);
      const command = { kind: 'command', tenants: options.tenants, ...timing } as const;
      jobs.push({ ...command, system: 'duet', databaseUrl: duetDb.url });
      jobs.push({ ...command, system: 'emmett', databaseUrl: emmettDb.url });
    }
    for (const job of jobs) {
      await runTenancyInChild(job, (result) => {
        results.push(result);
        process.stderr.write(`${progressLine(result)}\n`);
        if (options.json) printLine(result);
      }).catch((error: unknown) => {
        process.stderr.write(`  ${error instanceof Error ? error.message : String(error)}\n`);
      });
    }
  } finally {
    await dropAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const ratios = tenancyRatios(results);
  const commands = commandRatios(results);
  if (options.json) {
    for (const line of [...ratios, ...commands]) printLine(line);
    return;
  }
  const header = `${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}; other CPU load before start: ${machine.other_cpu_busy_pct ?? '?'} %`;
  const lines = formatTable(
    [
      'shape',
      'system',
      'executor',
      'tenants',
      'round',
      'events/s',
      'p50 ms',
      'p99 ms',
      'RSS MB',
      'note',
    ],
    results.map((r) => [
      r.shape,
      r.system,
      r.executor,
      r.tenants,
      r.round,
      r.events_per_sec,
      r.p50_ms,
      r.p99_ms,
      r.peak_rss_mb,
      r.error ?? '',
    ]),
  );
  const compared = formatTable(
    ['shape', 'tenants', 'plain events/s', 'isolated events/s', 'isolated/plain'],
    ratios.map((r) => [
      r.shape,
      r.tenants,
      r.plain_events_per_sec ?? '-',
      r.isolated_events_per_sec,
      r.ratio ?? '-',
    ]),
  );
  const peer = formatTable(
    ['system', 'executor', 'tenants', 'events/s', 'emmett events/s', 'duet/emmett'],
    commands.map((r) => [
      r.system,
      r.executor,
      r.tenants,
      r.events_per_sec,
      r.emmett_events_per_sec ?? '-',
      r.ratio_to_emmett ?? '-',
    ]),
  );
  process.stdout.write(`${header}\n\n${lines}\n\n${compared}\n\n${peer}\n`);
}

function printLine(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function progressLine(r: TenancyResult): string {
  const tenants = r.executor === 'isolated' ? ` ${r.tenants}t` : '';
  const label = `  ${r.shape.padEnd(15)} ${r.system} ${r.executor}${tenants} r${r.round}`.padEnd(
    50,
  );
  if (r.error !== undefined) return `${label} failed: ${r.error}`;
  const rate = r.events_per_sec.toLocaleString('en-US').padStart(8);
  const other =
    typeof r.cpu_other_pct === 'number' ? `  (others used ${r.cpu_other_pct} % CPU)` : '';
  return `${label} ${rate} events/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  RSS ${r.peak_rss_mb} MB${other}`;
}
