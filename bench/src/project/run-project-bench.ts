import { type BenchDatabase, createBenchDatabase } from '../database/bench-database.ts';
import { formatTable } from '../report/format-table.ts';
import { machineInfo } from '../report/machine-info.ts';
import type { ProjectJob, ProjectResult } from './project-config.ts';
import { projectRatios } from './project-ratios.ts';
import { runJobInChild } from './run-job-in-child.ts';
import type { SeedPlan } from './seed-events.ts';

export interface ProjectBenchOptions {
  readonly json: boolean;
  readonly databaseUrl: string;
  /** Duet's large rebuild (default 1,000,000). */
  readonly events: number;
  /** The size both systems rebuild, for the ratio (default 100,000). */
  readonly peerEvents: number;
}

const STREAMS = 10_000;
const APPEND_SIZE = 10;
/** The concurrent-writer variant: overlapping transactions, as a busy service writes. */
const CONCURRENT_WRITERS = 8;

/**
 * The project workload: seed order events, rebuild the per-stream summary, check it
 * against the fold. At `peerEvents`, Duet, then Emmett, then raw PostgreSQL on Duet's
 * events, with one writer seeding; then Duet at `events` (seeded by 8 writers, which is
 * quicker and the harder case for a reader) and raw on those events; then Duet and
 * Emmett on a `peerEvents` log seeded by 8 concurrent writers, to show which read models
 * stay correct. Every job is a process of its own; databases are made per run and dropped.
 */
export async function runProjectBench(options: ProjectBenchOptions): Promise<void> {
  const machine = await machineInfo(options.databaseUrl);
  if (options.json) printLine(machine);

  const databases: BenchDatabase[] = [];
  const dropAll = () => Promise.allSettled(databases.map((db) => db.drop()));
  const onSignal = () => {
    process.stderr.write('project: interrupted, dropping bench databases\n');
    void dropAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: ProjectResult[] = [];
  try {
    const make = async (label: string) => {
      const db = await createBenchDatabase(options.databaseUrl, label);
      databases.push(db);
      return db.url;
    };
    const duetUrl = await make('duet');
    const emmettUrl = await make('emmett');
    const emmettConcurrentUrl = await make('emmett_w8');
    const plan = (events: number, writers: number): SeedPlan => ({
      events,
      streams: Math.min(STREAMS, events),
      writers,
      appendSize: APPEND_SIZE,
    });
    const peer = options.peerEvents;
    const big = options.events;
    const jobs: ProjectJob[] = [
      {
        system: 'duet',
        databaseUrl: duetUrl,
        schema: 'duet_peer_w1',
        plan: plan(peer, 1),
        seed: true,
      },
      {
        system: 'emmett',
        databaseUrl: emmettUrl,
        schema: 'public',
        plan: plan(peer, 1),
        seed: true,
      },
      {
        system: 'raw-postgres',
        databaseUrl: duetUrl,
        schema: 'duet_peer_w1',
        plan: plan(peer, 1),
        seed: false,
      },
      {
        system: 'duet',
        databaseUrl: duetUrl,
        schema: 'duet_big_w8',
        plan: plan(big, CONCURRENT_WRITERS),
        seed: true,
      },
      {
        system: 'raw-postgres',
        databaseUrl: duetUrl,
        schema: 'duet_big_w8',
        plan: plan(big, CONCURRENT_WRITERS),
        seed: false,
      },
      {
        system: 'duet',
        databaseUrl: duetUrl,
        schema: 'duet_peer_w8',
        plan: plan(peer, CONCURRENT_WRITERS),
        seed: true,
      },
      {
        system: 'emmett',
        databaseUrl: emmettConcurrentUrl,
        schema: 'public',
        plan: plan(peer, CONCURRENT_WRITERS),
        seed: true,
      },
    ];
    for (const job of jobs) {
      process.stderr.write(
        `project: ${job.system} ${job.seed ? `seeds ${job.plan.events} events (${job.plan.writers} writer${job.plan.writers > 1 ? 's' : ''}) and rebuilds` : `rebuilds ${job.schema}'s events`}\n`,
      );
      try {
        for (const result of await runJobInChild(job)) report(result);
      } catch (error) {
        report(failed(job, error instanceof Error ? error.message : String(error)));
      }
    }
  } finally {
    await dropAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const ratios = projectRatios(results);
  if (options.json) {
    for (const ratio of ratios) printLine(ratio);
  } else {
    process.stdout.write(`${projectTable(results)}\n\n`);
    for (const ratio of ratios) process.stdout.write(`${JSON.stringify(ratio)}\n`);
  }

  function report(result: ProjectResult): void {
    results.push(result);
    process.stderr.write(`${progressLine(result)}\n`);
    if (options.json) printLine(result);
  }
}

function failed(job: ProjectJob, error: string): ProjectResult {
  return {
    workload: 'project',
    system: job.system,
    events: job.plan.events,
    events_per_sec: 0,
    seconds: 0,
    seeded_by_writers: job.plan.writers,
    streams: job.plan.streams,
    error,
  };
}

function progressLine(r: ProjectResult): string {
  const label = `  ${r.system}${r.method ? ` (${r.method})` : ''} ${r.events} events, ${r.seeded_by_writers}w`;
  if (r.error !== undefined) return `${label}: failed: ${r.error}`;
  const other = r.cpu_other_pct === undefined ? '' : `  (others used ${r.cpu_other_pct} % CPU)`;
  return `${label}: ${r.events_per_sec.toLocaleString('en-US')} events/s in ${r.seconds} s, correct ${String(r.correct)}${other}`;
}

function projectTable(results: readonly ProjectResult[]): string {
  return formatTable(
    ['system', 'events', 'seeded by', 'events/s', 'seconds', 'correct', 'missing', "others' CPU %"],
    results.map((r) => [
      `${r.system}${r.method ? ` (${r.method})` : ''}`,
      r.events,
      `${r.seeded_by_writers} writer${r.seeded_by_writers > 1 ? 's' : ''}`,
      r.error === undefined ? r.events_per_sec : 'failed',
      r.seconds,
      String(r.correct ?? ''),
      r.missing_events ?? '',
      r.cpu_other_pct ?? '',
    ]),
  );
}

function printLine(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
