import type { PGlite } from '@electric-sql/pglite';
import { failOption } from '../options/option-checks.ts';
import { lockPGliteDirectory, type PGliteDirectoryLock } from './lock-pglite-directory.ts';
import { createPGliteExecutor } from './pglite-executor.ts';
import type { SqlExecutor } from './sql-executor.ts';

/** A PGlite database opened by `openPGlite`, with its executor; close it when done. */
export interface OpenedPGlite extends AsyncDisposable {
  readonly db: PGlite;
  readonly executor: SqlExecutor;
  /** The absolute data directory, or null in memory. */
  readonly directory: string | null;
  /** Closes the executor, then PGlite, then releases the directory's lock. */
  close(): Promise<void>;
}

/**
 * Opens PGlite on a data directory (created if missing) after taking the directory's lock,
 * or in memory (`'memory://'`, no lock). A directory another live process holds throws
 * `PGliteDirectoryInUseError` before PGlite touches it: two PGlite processes on one
 * directory corrupt it or abort inside PGlite's WASM.
 *
 * @example
 * await using pglite = await openPGlite('./data');
 * await migrate(pglite.executor);
 */
export async function openPGlite(dataDir: string): Promise<OpenedPGlite> {
  const directory = directoryOf(dataDir);
  const lock = directory === null ? null : await lockPGliteDirectory(directory);
  let db: PGlite;
  try {
    // An optional peer: only PGlite users need it installed.
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(directory ?? 'memory://');
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const executor = createPGliteExecutor(db);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closeAll(executor, db, lock);
    return closing;
  };
  return {
    db,
    executor,
    directory: lock?.directory ?? null,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function closeAll(
  executor: SqlExecutor,
  db: PGlite,
  lock: PGliteDirectoryLock | null,
): Promise<void> {
  try {
    await executor.close();
  } finally {
    try {
      await db.close();
    } finally {
      await lock?.release();
    }
  }
}

/** The file-system directory PGlite would use, or null for memory (PGlite's own rules). */
function directoryOf(dataDir: string): string | null {
  if (typeof dataDir !== 'string') failOption('dataDir', "expected a directory or 'memory://'");
  if (dataDir === '' || dataDir.startsWith('memory://')) return null;
  if (dataDir.startsWith('file://')) return dataDir.slice('file://'.length);
  if (/^[a-z0-9-]+:\/\//i.test(dataDir)) {
    failOption('dataDir', `expected a directory or 'memory://', got ${dataDir}`);
  }
  return dataDir;
}
