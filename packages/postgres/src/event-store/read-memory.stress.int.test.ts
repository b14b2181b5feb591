import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from '@duet/postgres';
import { openTestDatabase, seedLongStream } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';
import { bundledEntry } from '../../../../scripts/test-support/bundle-entry.ts';

// Issue 3: "A 1M-event stream read end to end with process memory staying under 256 MB";
// issue 13 (S9): also loaded by the command bus with and without a snapshot. A child
// process reads the stream and then the whole log through the store's default paging,
// then loads the stream through the command bus (folding every event, then from a
// snapshot at the head), sampling its own resident set size every 50 ms; this test only
// seeds and judges.

// A million at full scale (DUET_FULL=1, npm run reliability -- --full S9); 200,000 in CI.
const EVENTS = process.env.DUET_FULL === '1' ? 1_000_000 : 200_000;
// Only a guard against a hung child (three passes over 1M events on a busy machine).
const CHILD_TIMEOUT_MS = 900_000;
const RSS_LIMIT_BYTES = 256 * 1024 * 1024;
const STREAM = 'ledger-1';
const TEMPLATE = 1_000; // events in the one real append; EVENTS is a multiple of it
const CHILD = fileURLToPath(new URL('../../test-support/read-million.ts', import.meta.url));

interface ChildReport {
  readonly streamCount: number;
  readonly allCount: number;
  readonly outOfOrder: number;
  readonly peakRss: number;
  readonly readRss: number;
  readonly loadRss: number;
  readonly streamMs: number;
  readonly allMs: number;
  readonly loadedVersion: number;
  readonly loadMs: number;
  readonly snapshotVersion: number;
  readonly snapshotLoadMs: number;
}

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('reading a large stream on PostgreSQL', () => {
  it(`given a stream of ${EVENTS} events, when a process reads it and then the whole log with the default page size, then it sees every event in order and its resident memory stays under ${RSS_LIMIT_BYTES / 1024 / 1024} MB`, async () => {
    const db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
    try {
      await seed(db.executor, db.schema);
      const report = await readInChild(databaseUrl as string, db.schema);
      const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
      console.info(
        `read ${EVENTS} events: stream ${report.streamMs} ms, all ${report.allMs} ms (peak RSS ${mb(report.readRss)} MB); command bus load: folded ${report.loadMs} ms (peak ${mb(report.loadRss)} MB), from a snapshot ${report.snapshotLoadMs} ms; peak RSS ${mb(report.peakRss)} MB`,
      );
      reportFigures('S9', {
        events: EVENTS,
        streamRead: report.streamCount,
        logRead: report.allCount,
        outOfOrder: report.outOfOrder,
        maxRssMb: Math.round(report.peakRss / 1024 / 1024),
        rssLimitMb: RSS_LIMIT_BYTES / 1024 / 1024,
        streamReadMs: report.streamMs,
        logReadMs: report.allMs,
        commandBusLoadedVersion: report.loadedVersion,
        foldLoadMs: report.loadMs,
        snapshotLoadMs: report.snapshotLoadMs,
      });
      expect(report.streamCount).toBe(EVENTS);
      expect(report.allCount).toBe(EVENTS);
      expect(report.outOfOrder).toBe(0);
      // Loaded by the command bus: every event folded, then from a snapshot at the head.
      expect(report.loadedVersion).toBe(EVENTS);
      expect(report.snapshotVersion).toBe(EVENTS);
      expect(report.peakRss).toBeLessThan(RSS_LIMIT_BYTES);
    } finally {
      await db.dispose();
    }
  }, 960_000);
});

// One real append of TEMPLATE events, then copies of its rows (seedLongStream).
function seed(executor: SqlExecutor, schema: string): Promise<void> {
  return seedLongStream(executor, {
    schema,
    stream: STREAM,
    events: EVENTS,
    template: Array.from({ length: TEMPLATE }, (_, i) => ({
      type: 'EntryPosted',
      data: { entry: i + 1, amount: (i * 37) % 1000, memo: 'posted by the seed' },
      metadata: { correlationId: 'seed' },
    })),
  });
}

function readInChild(connectionString: string, schema: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundledEntry(CHILD), connectionString, schema, STREAM], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Never outlive the test: a stuck reader is killed before the test's own timeout.
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`reader exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line) as ChildReport);
    });
  });
}
