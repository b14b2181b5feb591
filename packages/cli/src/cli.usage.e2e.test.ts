import { describe, expect, it } from 'vitest';
import { runDuet, startDuet } from '../test-support/run-duet.ts';
import { ExitCode } from './exit-code.ts';

// Issue 5: --help everywhere, and usage mistakes exit 2 before any database is touched.

describe.concurrent('duet usage', () => {
  it.each([
    [['--help'], /Exit codes:/],
    [['migrate', '--help'], /\$ duet migrate --pglite/],
    [['streams', 'list', '--help'], /\$ duet streams list --category order/],
    [['streams', 'show', '--help'], /\$ duet streams show order-42 --at 3/],
    [['events', 'tail', '--help'], /\$ duet events tail --from start/],
    [['projections', 'pause', '--help'], /\$ duet projections pause order_history --by/],
    [['projections', 'resume', '--help'], /\$ duet projections resume order_history/],
    [['dead-letters', 'skip', '--help'], /\$ duet dead-letters skip --projection order_history/],
    [['forget', '--help'], /\$ duet forget customer-7 --schema customers/],
  ])('when %j is run, then it prints help with examples and exits 0', async (argv, example) => {
    const result = await runDuet(argv);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(example);
    expect(result.stdout).toContain('--database-url <url>');
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [
      ['streams', 'list', '--limit', 'ten', '--pglite', '/nowhere'],
      /--limit <n>' argument 'ten' is invalid/,
    ],
    [
      ['streams', 'show', 'order-1', '--at', 'yesterday', '--pglite', '/nowhere'],
      /--at <version\|time>' argument 'yesterday'/,
    ],
    [
      ['events', 'tail', '--from', 'middle', '--pglite', '/nowhere'],
      /'--from <position\|start\|end>' argument 'middle'/,
    ],
    [
      ['dead-letters', 'skip', '7', '--projection', 'order_history', '--pglite', '/nowhere'],
      /give a dead letter id or --projection <name>, not both/,
    ],
    [
      ['dead-letters', 'skip', 'seven', '--pglite', '/nowhere'],
      /dead letter id "seven" is not a number/,
    ],
    [['streams', 'list'], /no database given/],
    [
      ['streams', 'list', '--pglite', '/a', '--database-url', 'postgres://x@y/z'],
      /either --database-url or --pglite/,
    ],
    [['streams', 'list', '--schema', 'Bad-Name', '--pglite', '/nowhere'], /--schema "Bad-Name"/],
    [['streams', 'list', '--database-url', 'mysql://x@y/z'], /must start with postgres:\/\//],
  ])('when %j is run, then it exits 2 with one clear line', async (argv, message) => {
    const result = await runDuet(argv);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('duet writing to a pipe its reader closed', () => {
  it('given stdout closed before duet writes (as `duet ... | head` does), then it exits 0 with nothing on stderr', async () => {
    const duet = startDuet(['--help']);
    duet.child.stdout.destroy();
    const result = await duet.exited;
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, signal: null });
  });
});
