import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../../test-support/run-bench.ts';
import type { TenancyResult } from './tenancy-config.ts';
import type { TenancyRatio } from './tenancy-ratios.ts';

// `append --tenants` run tiny: it checks the comparison works end to end (isolated lines
// beside plain ones, reads that return the whole stream, a ratio per isolated line, the
// wrapper's round trips counted), not how fast anything is. The command shape seeds
// 10,000 carts per line and starts Emmett: it runs with DUET_FULL=1.
const databaseUrl = inject('databaseUrl');

async function bench(args: readonly string[]): Promise<{ workload: string }[]> {
  const { code, stderr, lines } = await runBench<{ workload: string }>(
    ['append', '--json', '--warmup', '0', '--seconds', '0.5', ...args],
    { databaseUrl },
  );
  expect(code, stderr).toBe(0);
  expect(lines[0]?.workload).toBe('machine');
  return lines.slice(1);
}

describe.skipIf(databaseUrl === null)('npm run bench -- append --tenants', () => {
  it('given --tenants 2 and one shape, when the bench runs tiny, then each line ran plain, isolated and plain again, and each isolated line has its ratio', async () => {
    const lines = await bench(['--tenants', '2', '--shapes', '8x1']);
    const results = lines.filter((line) => line.workload !== 'tenancy-ratio') as TenancyResult[];
    const ratios = lines.filter((line) => line.workload === 'tenancy-ratio') as TenancyRatio[];
    expect(results.map((r) => [r.shape, r.executor, r.tenants, r.round])).toEqual(
      ['8x1', 'readStream-1000', 'streamInfo'].flatMap((shape) => [
        [shape, 'plain', 0, 1],
        [shape, 'isolated', 2, 1],
        [shape, 'plain', 0, 2],
      ]),
    );
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expect(result.events_per_sec).toBeGreaterThan(0);
      expect(result.peak_rss_mb).toBeGreaterThan(0);
    }
    // Isolated on an owned pool, a tenant's statement runs on a connection kept in its
    // session: one round trip for streamInfo, as plain (before sessions it was four:
    // BEGIN, set_config, the statement, COMMIT).
    const info = results.filter((r) => r.shape === 'streamInfo');
    expect(info.map((r) => r.round_trips_per_call)).toEqual([1, 1, 1]);
    expect(ratios.map((r) => [r.shape, r.tenants])).toEqual([
      ['8x1', 2],
      ['readStream-1000', 2],
      ['streamInfo', 2],
    ]);
  }, 120_000);

  it.skipIf(process.env.DUET_FULL !== '1')(
    'given --shapes command, when the bench runs tiny, then every Duet line has a ratio to Emmett',
    async () => {
      const lines = await bench(['--tenants', '2', '--shapes', 'command']);
      const ratios = lines.filter((line) => line.workload === 'command-ratio');
      expect(ratios).toHaveLength(4);
      for (const ratio of ratios) {
        expect(ratio).toMatchObject({ ratio_to_emmett: expect.any(Number) });
      }
    },
    300_000,
  );
});
