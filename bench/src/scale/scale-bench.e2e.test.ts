import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../../test-support/run-bench.ts';
import type { ScaleLine, ScaleRatioLine } from './scale-lines.ts';

// `npm run bench -- scale` run tiny: app processes start, append to one database, report
// and exit, for each way of waking readers; it checks the lines, not how fast anything is.
const databaseUrl = inject('databaseUrl');

// Several app processes and a wait sampler: minutes of a 2-core CI, so on demand only.
describe.skipIf(databaseUrl === null || process.env.DUET_FULL !== '1')(
  'npm run bench -- scale',
  () => {
    it('given 1 and 2 app processes, when the bench runs tiny, then each wake mode has a line per process count and a ratio line', async () => {
      const { code, stderr, lines } = await runBench<
        ScaleLine | ScaleRatioLine | { workload: 'machine' }
      >(
        [
          'scale',
          '--json',
          '--warmup',
          '0',
          '--seconds',
          '0.5',
          '--processes',
          '1,2',
          '--clients',
          '4',
        ],
        { databaseUrl },
      );
      expect(code, stderr).toBe(0);
      expect(lines[0]?.workload).toBe('machine');
      const rounds = lines.filter((line): line is ScaleLine => line.workload === 'scale');
      expect(rounds.map((line) => [line.wake, line.processes])).toEqual([
        ['in-transaction', 1],
        ['in-transaction', 2],
        ['after-commit', 1],
        ['after-commit', 2],
      ]);
      for (const round of rounds) {
        expect(round.errors).toBe(0);
        expect(round.per_process).toHaveLength(round.processes);
        // Every append of the round: on a loaded machine none may land inside 0.5 s.
        expect(round.appended).toBeGreaterThan(0);
        expect(round.peak_rss_mb).toBeGreaterThan(0);
        expect(round.wait_samples).toBeGreaterThan(0);
      }
      // Readers are woken in both modes.
      for (const round of rounds) expect(round.wakes_per_sec).toBeGreaterThan(0);
      const ratios = lines.filter(
        (line): line is ScaleRatioLine => line.workload === 'scale-ratio',
      );
      expect(ratios.map((line) => line.wake)).toEqual(['in-transaction', 'after-commit']);
      for (const ratio of ratios) expect(Object.keys(ratio.ratios)).toEqual(['2_to_1']);
    }, 180_000);
  },
);
