import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { PGliteDirectoryInUseError } from './pglite-directory-in-use-error.ts';

/** The lock file's name inside a PGlite data directory. */
export const PGLITE_LOCK_FILE = 'duet.lock';

/** An exclusive hold on a PGlite data directory: release it after closing PGlite. */
export interface PGliteDirectoryLock {
  readonly directory: string;
  readonly lockFile: string;
  /** Removes the lock file (only if it is still this lock's). */
  release(): Promise<void>;
}

interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Tells this lock from a later one by the same pid. */
  readonly token: string;
}

/**
 * Takes the lock file `duet.lock` in `directory` (created if missing), holding this
 * process's pid. Throws `PGliteDirectoryInUseError` while another live process on this
 * host holds it; a lock left by a process that died (kill -9, a crash) is taken over.
 *
 * Why a pid file and not an mtime lease (proper-lockfile): PGlite runs its queries
 * synchronously on the main thread, so a long one would stop the lease's refresh timer
 * and let a second process in; and a pid is checked at once, where a lease makes the
 * user wait out its expiry after a crash.
 *
 * @example
 * const lock = await lockPGliteDirectory('./data');
 * try { ... } finally { await lock.release(); }
 */
export async function lockPGliteDirectory(directory: string): Promise<PGliteDirectoryLock> {
  const dir = resolve(directory);
  await mkdir(dir, { recursive: true });
  const lockFile = join(dir, PGLITE_LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), token: randomUUID() };
  // Written in full under a name of its own, then linked into place: link() fails when the
  // lock exists, so no reader ever sees a half-written lock file.
  const draft = `${lockFile}.${owner.token}`;
  await writeFile(draft, `${JSON.stringify(owner)}\n`);
  try {
    await acquire(dir, lockFile, draft);
  } finally {
    await unlink(draft).catch(() => {});
  }
  // A process that exits without releasing (an uncaught error) leaves no lock behind.
  const onExit = () => removeIfOurs(lockFile, owner.token);
  process.once('exit', onExit);
  let released = false;
  return {
    directory: dir,
    lockFile,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      removeIfOurs(lockFile, owner.token);
    },
  };
}

async function acquire(dir: string, lockFile: string, draft: string): Promise<void> {
  // Each round either takes the lock, throws, or removes a dead holder's lock; a few
  // rounds cover processes that race for the same stale lock.
  for (let round = 0; round < 5; round++) {
    try {
      await link(draft, lockFile);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readOwner(lockFile);
    if (holder === 'gone') continue;
    if (holder !== 'unreadable' && isAlive(holder)) {
      throw new PGliteDirectoryInUseError(dir, holder.pid, holder.hostname, lockFile);
    }
    await removeStale(dir, lockFile);
  }
  throw new Error(`could not take the lock ${lockFile}: other processes keep replacing it`);
}

/**
 * Moves the dead holder's lock aside and deletes it. Moving first makes the removal
 * atomic: if another process took the lock meanwhile, what was moved is its live lock,
 * which goes back (or, if a third already took the place, the error names that one).
 */
async function removeStale(dir: string, lockFile: string): Promise<void> {
  const aside = `${lockFile}.stale-${randomUUID()}`;
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved !== 'gone' && moved !== 'unreadable' && isAlive(moved)) {
    await link(aside, lockFile).catch(() => {});
    await unlink(aside).catch(() => {});
    throw new PGliteDirectoryInUseError(dir, moved.pid, moved.hostname, lockFile);
  }
  await unlink(aside).catch(() => {});
}

async function readOwner(file: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  return parseOwner(text) ?? 'unreadable';
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    return Number.isSafeInteger(value?.pid) &&
      typeof value?.hostname === 'string' &&
      typeof value.token === 'string'
      ? (value as LockOwner)
      : null;
  } catch {
    return null;
  }
}

/** Whether the holder may still run. A process on another host is assumed alive. */
function isAlive(holder: LockOwner): boolean {
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return true; // this process holds it: open once
  try {
    process.kill(holder.pid, 0); // signal 0 checks only that the pid exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

// Synchronous so that it also runs in an 'exit' handler.
function removeIfOurs(lockFile: string, token: string): void {
  try {
    if (parseOwner(readFileSync(lockFile, 'utf8'))?.token === token) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}
