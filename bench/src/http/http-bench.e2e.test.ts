import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../../test-support/run-bench.ts';
import type { HttpLine, HttpRatioLine } from './http-lines.ts';

// `npm run bench -- http` run tiny: every server starts in its own process, answers the
// load and is stopped; a line per system and the ratio line come out. It checks the bench
// works end to end, not how fast anything is.
const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');

async function bench(args: readonly string[]): Promise<(HttpLine | HttpRatioLine)[]> {
  const { code, stderr, lines } = await runBench<{ workload: string }>(
    ['http', '--json', '--warmup', '0', '--seconds', '0.5', ...args],
    { databaseUrl, natsUrl },
  );
  expect(code, stderr).toBe(0);
  expect(lines[0]?.workload).toBe('machine');
  return lines.slice(1) as (HttpLine | HttpRatioLine)[];
}

function expectServed(line: HttpLine | HttpRatioLine | undefined, command: string) {
  expect(line).toMatchObject({ workload: 'http', command, connections: 4 });
  const served = line as HttpLine;
  expect(served.error).toBeUndefined();
  expect(served.failed).toEqual({});
  // Every answer of the run: on a loaded machine none may land inside a 0.5 s window.
  expect(served.answered).toBeGreaterThan(0);
  expect(served.p99_ms).toBeGreaterThanOrEqual(served.p50_ms);
  expect(served.server_peak_rss_mb).toBeGreaterThan(0);
}

describe.skipIf(databaseUrl === null || natsUrl === null)('npm run bench -- http', () => {
  it('given PostgreSQL, when the bench runs tiny, then the ceiling, the shop, the bus on a plain route and Emmett each answer PlaceOrder and a ratio line compares them', async () => {
    const lines = await bench(['--store', 'postgres', '--clients', '4', '--carts', '400']);
    expect(lines.map((line) => ('system' in line ? line.system : 'ratio'))).toEqual([
      'bare',
      'duet',
      'duet-route',
      'emmett',
      'ratio',
    ]);
    for (const line of lines.slice(0, 4)) expectServed(line, 'PlaceOrder');
    const ratio = lines[4] as HttpRatioLine;
    expect(ratio).toMatchObject({ workload: 'http', command: 'PlaceOrder', connections: 4 });
    // Null only when a line had no answer inside the window (a loaded machine).
    for (const key of ['ratio_to_bare', 'ratio_to_emmett', 'route_ratio_to_emmett'] as const) {
      expect(ratio[key] === null || ratio[key] > 0).toBe(true);
    }
  }, 300_000);

  // The whole shop on PGlite in one process: on demand only (DUET_FULL=1).
  it.skipIf(process.env.DUET_FULL !== '1')(
    "given npm start's one process on PGlite, when the bench runs tiny, then it opens carts with AddItem and places them",
    async () => {
      const lines = await bench(['--store', 'pglite', '--clients', '4']);
      expect(lines.map((line) => [(line as HttpLine).system, line.command])).toEqual([
        ['duet-pglite', 'AddItem'],
        ['duet-pglite', 'PlaceOrder'],
      ]);
      for (const line of lines) expectServed(line, line.command);
    },
    300_000,
  );
});
