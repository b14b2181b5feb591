import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../../test-support/run-bench.ts';

// `npm run bench -- lag` run tiny: the command capacity first, then a lag line at each
// share of it with the rate beside it. It checks the lines, not how fast anything is.
const databaseUrl = inject('databaseUrl');

interface Line {
  readonly workload: string;
  readonly commands_per_sec?: number;
  readonly rate?: number;
  readonly capacity_fraction?: number;
  readonly capacity_commands_per_sec?: number;
  readonly answered?: number;
  readonly errors?: number;
  readonly runner?: string;
  readonly runner_batches?: number;
  readonly cpu_runner_pct?: number;
}

// A capacity run and three paced runs of the shop: on demand only (DUET_FULL=1).
describe.skipIf(databaseUrl === null || process.env.DUET_FULL !== '1')(
  'npm run bench -- lag',
  () => {
    it('given no --rate, when the bench runs tiny, then it measures the capacity and then the lag at 25, 50 and 75 % of it', async () => {
      const { code, stderr, lines } = await runBench<Line>(
        ['lag', '--json', '--seconds', '0.5', '--warmup', '0'],
        { databaseUrl },
      );
      expect(code, stderr).toBe(0);
      expect(lines.map((line) => line.workload)).toEqual([
        'machine',
        'lag-capacity',
        'lag',
        'lag',
        'lag',
      ]);
      // May be 0 on a loaded machine (no command inside 0.5 s); the rates are then 1/s.
      const capacity = lines[1]!.commands_per_sec!;
      expect(capacity).toBeGreaterThanOrEqual(0);
      const lags = lines.slice(2);
      expect(lags.map((line) => line.capacity_fraction)).toEqual([0.25, 0.5, 0.75]);
      for (const line of lags) {
        expect(line.capacity_commands_per_sec).toBe(capacity);
        expect(line.rate).toBe(Math.max(1, Math.round(capacity * line.capacity_fraction!)));
        expect(line.errors).toBe(0);
        expect(line.answered).toBeGreaterThan(0);
      }
    }, 300_000);

    it('given --runner-process, when the bench runs at a rate, then the runner projects in a process of its own and every query sees its command', async () => {
      const { code, stderr, lines } = await runBench<Line>(
        ['lag', '--json', '--runner-process', '--rate', '50', '--seconds', '1', '--warmup', '0'],
        { databaseUrl },
      );
      expect(code, stderr).toBe(0);
      const lag = lines.find((line) => line.workload === 'lag')!;
      expect(lag).toMatchObject({ runner: 'own process', rate: 50, errors: 0, answered: 50 });
      expect(lag.runner_batches).toBeGreaterThan(0);
    }, 300_000);
  },
);
