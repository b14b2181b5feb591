import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../../test-support/run-bench.ts';
import type { AppendRatio } from '../report/append-ratios.ts';
import type { ShapeResult } from './round-config.ts';

// `npm run bench -- append` run tiny on PostgreSQL: every system answers the shape and the
// ratio line compares them, Duet's own row without its logic (`raw-duet-row`) included. It
// checks the lines, not how fast anything is.
const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('npm run bench -- append', () => {
  it('given one batched shape, when the bench runs tiny, then Duet twice, Emmett, raw INSERTs and raw Duet rows each store events, and the ratio line compares them', async () => {
    const { code, stderr, lines } = await runBench<
      ShapeResult | AppendRatio | { workload: 'machine' }
    >(
      [
        'append',
        '--json',
        '--store',
        'postgres',
        '--shapes',
        '8x10',
        '--warmup',
        '0',
        '--seconds',
        '0.5',
      ],
      { databaseUrl },
    );
    expect(code, stderr).toBe(0);
    expect(lines[0]?.workload).toBe('machine');
    const results = lines.filter((line): line is ShapeResult => 'system' in line);
    expect(results.map((r) => [r.system, r.round])).toEqual([
      ['duet', 1],
      ['emmett', 1],
      ['duet', 2],
      ['raw-postgres', 1],
      ['raw-duet-row', 1],
      ['raw-duet-row-no-category', 1],
    ]);
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expect(result.events_per_sec).toBeGreaterThan(0);
    }
    const ratio = lines.find((line): line is AppendRatio => 'ratio_to_raw' in line);
    expect(ratio?.raw_duet_row_events_per_sec).toBeGreaterThan(0);
    expect(ratio?.ratio_to_raw_duet_row).toBeGreaterThan(0);
    expect(ratio?.raw_duet_row_to_raw).toBeGreaterThan(0);
    expect(ratio?.raw_duet_row_no_category_to_raw).toBeGreaterThan(0);
  }, 180_000);
});
