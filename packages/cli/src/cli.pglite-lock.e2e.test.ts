import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGLITE_LOCK_FILE } from '@duet/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDuet, runDuet, startDuet } from '../test-support/run-duet.ts';
import { ExitCode } from './exit-code.ts';

// Issue 13: docs/cli.md promised exit 4 for a PGlite directory in use, but `duet` read
// alongside the app. Here the app is another `duet` (`events tail` keeps the directory
// open until it is stopped): a real process holding the directory.

// Only a backstop for a holder that never comes up; the test's timeout is the real limit.
const upWithinMs = 120_000;

describe('duet on a PGlite directory another process holds', { timeout: 180_000 }, () => {
  let root: string;
  let dir: string;
  const holding: RunningDuet[] = [];
  const hold = async () => {
    const tail = startDuet(['events', 'tail', '--pglite', dir, '--schema', 'shop']);
    holding.push(tail);
    await tail.waitFor('stderr', /following/, upWithinMs);
    return tail;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-cli-lock-'));
    dir = join(root, 'pglite');
    const migrated = await runDuet(['migrate', '--pglite', dir, '--schema', 'shop']);
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const tail of holding) tail.child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('given a running holder, when duet opens the directory, then it exits 4 naming the directory and the pid; after the holder stops, duet runs', async () => {
    const tail = await hold();
    const refused = await runDuet(['streams', 'list', '--pglite', dir, '--schema', 'shop']);
    expect(refused.code).toBe(ExitCode.unavailable);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `error: the PGlite directory ${dir} is in use by process ${tail.child.pid}`,
    );
    expect(refused.stderr).toContain(
      `hint: PGlite is one process at a time: stop process ${tail.child.pid}, run duet`,
    );
    expect(refused.stderr).not.toMatch(/Aborted|RuntimeError/);

    tail.child.kill('SIGTERM');
    expect(await tail.exited).toMatchObject({ code: 0 });
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
    const after = await runDuet(['streams', 'list', '--pglite', dir, '--schema', 'shop']);
    expect(after.code, after.stderr).toBe(0);
  });

  it('given a holder killed with SIGKILL, when duet opens the directory, then it takes the stale lock over and runs', async () => {
    const tail = await hold();
    tail.child.kill('SIGKILL');
    expect(await tail.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(true);
    const after = await runDuet(['streams', 'list', '--pglite', dir, '--schema', 'shop']);
    expect(after.code, after.stderr).toBe(0);
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });
});
