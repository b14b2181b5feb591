import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@duet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../../scripts/test-support/bundle-entry.ts';
import { lockPGliteDirectory } from '../executor/lock-pglite-directory.ts';
import { createPgExecutor } from '../executor/pg-executor.ts';
import { PGliteDirectoryInUseError } from '../executor/pglite-directory-in-use-error.ts';
import { testDatabaseUrl } from '../testing/open-test-database.ts';
import { openPostgresEventStore } from './open-postgres-event-store.ts';

const CHILD = fileURLToPath(new URL('./open-postgres-event-store-child.ts', import.meta.url));

/** Runs the child to its end; never kills it, so a hang fails the test by its timeout. */
function runChild(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundledEntry(CHILD), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Regression test for issue #6: after `store.close()` the process hung, because the
// executor it was given stayed open and nothing said so.
describe('openPostgresEventStore', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    await using executor = createPgExecutor({ connectionString: testDatabaseUrl(), max: 1 });
    await executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it('given a process that opens a store on PostgreSQL, appends, subscribes and closes it, then it exits 0 by itself', async () => {
    const exit = await runChild(['postgres', testDatabaseUrl(), schema]);
    expect(exit, exit.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(exit.stdout)).toEqual({ read: 1 });
  }, 120_000);

  it('given a process that opens a store on PGlite, appends, subscribes and closes it, then it exits 0 by itself', async () => {
    const exit = await runChild(['pglite']);
    expect(exit, exit.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(exit.stdout)).toEqual({ read: 1 });
  }, 120_000);

  it.each([
    [{}],
    [{ connectionString: testDatabaseUrl(), pglite: 'memory://' }],
    [{ connectionString: '' }],
    [{ pglite: 42 }],
  ])('given %j, when opening, then ValidationError naming the option', async (options) => {
    await expect(openPostgresEventStore(options as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('given a bad store option, when opening, then ValidationError and the pool it opened is closed again', async () => {
    await expect(
      openPostgresEventStore({ connectionString: testDatabaseUrl(), pageSize: -1 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('given a PGlite directory whose lock is held, when opening a store on it, then PGliteDirectoryInUseError before PGlite touches it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'duet-open-store-'));
    try {
      const lock = await lockPGliteDirectory(root);
      await expect(openPostgresEventStore({ pglite: root })).rejects.toBeInstanceOf(
        PGliteDirectoryInUseError,
      );
      await lock.release();
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
