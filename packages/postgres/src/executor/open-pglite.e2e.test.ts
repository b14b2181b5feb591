import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@duet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../../scripts/test-support/bundle-entry.ts';
import { PGLITE_LOCK_FILE } from './lock-pglite-directory.ts';
import { openPGlite } from './open-pglite.ts';

const CHILD = fileURLToPath(new URL('./open-pglite-child.ts', import.meta.url));

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  stdout(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects if the child exits first. */
  line(pattern: RegExp): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(mode: 'hold' | 'try', dir: string): Child {
  const child = spawn(process.execPath, [bundledEntry(CHILD), mode, dir]);
  let out = '';
  let err = '';
  const changed = new Set<() => void>();
  const onData = (append: (chunk: string) => void) => (chunk: string) => {
    append(chunk);
    for (const notify of [...changed]) notify();
  };
  child.stdout.setEncoding('utf8').on(
    'data',
    onData((chunk) => (out += chunk)),
  );
  child.stderr.setEncoding('utf8').on(
    'data',
    onData((chunk) => (err += chunk)),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const notify of [...changed]) notify();
      resolve({ code, signal });
    }),
  );
  return {
    process: child,
    stdout: () => out,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = out.split('\n').find((line) => pattern.test(line));
          if (found !== undefined) {
            changed.delete(check);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            changed.delete(check);
            reject(new Error(`exited without ${pattern}; stdout: ${out}; stderr: ${err}`));
          }
        };
        changed.add(check);
        check();
      }),
  };
}

// Issue 13: a second process on the same PGlite directory (a second app, or `duet` while
// the app runs) read alongside or died inside PGlite's WASM. Each process here is real.
describe('openPGlite on a directory, across processes', { timeout: 120_000 }, () => {
  let root: string;
  let dir: string;
  const children: Child[] = [];
  const start = (mode: 'hold' | 'try') => {
    const child = startChild(mode, dir);
    children.push(child);
    return child;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-pglite-lock-'));
    dir = join(root, 'pglite');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('given a process holding the directory, when a second process opens it, then it gets PGliteDirectoryInUseError naming the directory and the holder, and after a clean close the lock file is gone', async () => {
    const holder = start('hold');
    await holder.line(/^ready/);
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(true);

    const second = start('try');
    expect(await second.exited).toEqual({ code: 4, signal: null });
    const refused = JSON.parse(second.stdout());
    expect(refused).toMatchObject({
      name: 'PGliteDirectoryInUseError',
      code: ErrorCode.PGLITE_DIRECTORY_IN_USE,
      directory: dir,
      pid: holder.process.pid,
      lockFile: join(dir, PGLITE_LOCK_FILE),
    });
    expect(refused.message).toContain(
      `the PGlite directory ${dir} is in use by process ${holder.process.pid}`,
    );
    expect(refused.message).toContain('stop that process');

    holder.process.stdin.end('close\n');
    await holder.line(/^closed 1$/);
    expect(await holder.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);

    // The refused process changed nothing: the next opener finds only the holder's row.
    const next = start('try');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(next.stdout()).toBe('closed 2\n');
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });

  it('given a holder killed with SIGKILL, when another process opens the directory, then it takes the stale lock over and opens the data', async () => {
    const holder = start('hold');
    await holder.line(/^ready/);
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Nothing released it: the lock file still names the dead process.
    const left = JSON.parse(await readFile(join(dir, PGLITE_LOCK_FILE), 'utf8'));
    expect(left.pid).toBe(holder.process.pid);

    const next = start('hold');
    const ready = await next.line(/^ready/);
    expect(ready).toBe(`ready ${next.process.pid}`);
    const taken = JSON.parse(await readFile(join(dir, PGLITE_LOCK_FILE), 'utf8'));
    expect(taken.pid).toBe(next.process.pid);
    next.process.stdin.end('close\n');
    // The killed holder's committed row survived: two rows.
    await next.line(/^closed 2$/);
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });
});

describe('openPGlite in memory', () => {
  it('given memory://, when opened, then no directory and no lock are involved', async () => {
    await using pglite = await openPGlite('memory://');
    expect(pglite.directory).toBeNull();
    expect(existsSync(join(process.cwd(), PGLITE_LOCK_FILE))).toBe(false);
    const { rows } = await pglite.executor.query<{ one: number }>('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });
});
