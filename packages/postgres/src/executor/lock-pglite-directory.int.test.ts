import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockPGliteDirectory, PGLITE_LOCK_FILE } from './lock-pglite-directory.ts';
import { PGliteDirectoryInUseError } from './pglite-directory-in-use-error.ts';

/** The pid of a process that has exited (and been reaped): no one answers to it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

// The lock behind openPGlite (issue 13), on a real file system in this process; the
// cross-process cases with PGlite itself are in open-pglite.e2e.test.ts.
describe('lockPGliteDirectory', () => {
  let root: string;
  let dir: string;
  let lockFile: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-lock-'));
    dir = join(root, 'data');
    lockFile = join(dir, PGLITE_LOCK_FILE);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('given a missing directory, when locked, then it is created with a lock file naming this process, and release removes only the lock', async () => {
    const lock = await lockPGliteDirectory(dir);
    expect(lock).toMatchObject({ directory: dir, lockFile });
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('given a lock held by this process, when locked again, then PGliteDirectoryInUseError: a directory opens once', async () => {
    const lock = await lockPGliteDirectory(dir);
    const second = lockPGliteDirectory(dir);
    await expect(second).rejects.toBeInstanceOf(PGliteDirectoryInUseError);
    await expect(second).rejects.toMatchObject({ directory: dir, pid: process.pid, lockFile });
    expect(existsSync(lockFile)).toBe(true);
    await lock.release();
  });

  it('given a lock file left by a dead process, when locked, then it is taken over', async () => {
    await lockPGliteDirectory(dir); // only to create the directory and a well-formed file
    const pid = await deadPid();
    await writeFile(lockFile, JSON.stringify({ pid, hostname: hostname(), token: 'old' }));
    const lock = await lockPGliteDirectory(dir);
    expect(JSON.parse(await readFile(lockFile, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('given an unreadable lock file, when locked, then it is taken over (a whole lock file is never half written)', async () => {
    await (await lockPGliteDirectory(dir)).release();
    await writeFile(lockFile, '{"pid":');
    const lock = await lockPGliteDirectory(dir);
    expect(JSON.parse(await readFile(lockFile, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('given a lock of a process on another host, when locked, then refused: its life cannot be checked from here', async () => {
    await (await lockPGliteDirectory(dir)).release();
    await writeFile(lockFile, JSON.stringify({ pid: 1, hostname: 'elsewhere', token: 't' }));
    await expect(lockPGliteDirectory(dir)).rejects.toMatchObject({
      pid: 1,
      hostname: 'elsewhere',
      message: expect.stringContaining(`delete ${lockFile}`),
    });
    expect(existsSync(lockFile)).toBe(true);
  });

  it('given a released lock, when another took the directory since, then release leaves its lock alone', async () => {
    const lock = await lockPGliteDirectory(dir);
    const pid = await deadPid();
    const theirs = JSON.stringify({ pid, hostname: hostname(), token: 'theirs' });
    await writeFile(lockFile, theirs);
    await lock.release();
    expect(await readFile(lockFile, 'utf8')).toBe(theirs);
  });
});
