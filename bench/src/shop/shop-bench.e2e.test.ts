import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../../test-support/run-bench.ts';
import type { ShopLine } from './shop-lines.ts';

// The shop bench run tiny, as CI can afford it: `npm run bench -- shop --json` with a
// second of load per case. It checks the bench works end to end (a line per case, counts
// that add up, everything cleaned up), not how fast anything is.
const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');

async function bench(args: readonly string[]): Promise<ShopLine[]> {
  const { code, stderr, lines } = await runBench<{ workload: string }>(
    ['shop', '--json', ...args],
    { databaseUrl, natsUrl },
  );
  expect(code, stderr).toBe(0);
  expect(lines[0]?.workload).toBe('machine');
  return lines.slice(1) as ShopLine[];
}

const tiny = ['--seconds', '1', '--warmup', '0', '--rate', '5', '--clients', '4'];

function expectCase(line: ShopLine | undefined, kind: 'closed' | 'open') {
  expect(line).toMatchObject({ workload: 'shop', case: kind });
  const total = Object.values(line!.outcomes).reduce((sum, n) => sum + n, 0);
  expect(total).toBe(line!.orders_started);
  expect(line!.orders_started).toBeGreaterThan(0);
  expect(line!.confirmed_per_sec).toBeGreaterThan(0);
  expect(line!.settled_p99_ms).toBeGreaterThanOrEqual(line!.settled_p50_ms);
  expect(line!.server_peak_rss_mb).toBeGreaterThan(0);
}

describe('npm run bench -- shop', () => {
  // Both paths start the whole shop: on demand only (DUET_FULL=1), as the lag, scale and
  // PGlite http benches, to keep CI under 15 minutes on two cores. The shop's one-process
  // start is checked on every run by apps/shop/src/main.e2e.test.ts.
  it.skipIf(process.env.DUET_FULL !== '1')(
    "given npm start's one process on PGlite, when the bench runs tiny, then it prints a closed and an open case",
    async () => {
      const [closed, open, ...rest] = await bench(['--store', 'pglite', ...tiny]);
      expect(rest).toEqual([]);
      expectCase(closed, 'closed');
      expect(closed).toMatchObject({ deployment: 'one-process', store: 'pglite', clients: 4 });
      // The machine's CPU over the measured window, per order; PGlite has no pg_stat_database.
      expect(closed!.machine_cpu_ms_per_order).toBeGreaterThan(0);
      expect(closed!.commits_per_order).toBeNull();
      expectCase(open, 'open');
      expect(open).toMatchObject({ deployment: 'one-process', transport: 'in-process', rate: 5 });
    },
    300_000,
  );

  // Five service processes take most of a minute to start on two cores (the services
  // themselves are checked in apps/shop/src/services).
  it.skipIf(databaseUrl === null || natsUrl === null || process.env.DUET_FULL !== '1')(
    'given every service in its own process on PostgreSQL and NATS, when the bench runs tiny, then it prints both cases',
    async () => {
      const [closed, open, ...rest] = await bench(['--store', 'postgres', ...tiny]);
      expect(rest).toEqual([]);
      expectCase(closed, 'closed');
      expect(closed).toMatchObject({
        deployment: 'services',
        store: 'postgres',
        transport: 'nats',
      });
      expect(closed!.commits_per_order).toBeGreaterThan(0);
      expect(closed!.rows_written_per_order).toBeGreaterThan(0);
      expectCase(open, 'open');
    },
    300_000,
  );
});
