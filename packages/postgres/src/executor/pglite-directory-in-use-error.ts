import { DuetError, ErrorCode } from '@duet/core';

/**
 * A PGlite data directory is open in another live process. PGlite is one process per
 * directory: a second one would corrupt it (or abort inside PGlite's WASM), so opening is
 * refused. The message names the directory, the process holding it and what to do.
 *
 * @example
 * try { await openPGlite('./data') } catch (error) {
 *   if (error instanceof PGliteDirectoryInUseError) console.error(`stop pid ${error.pid} first`);
 * }
 */
export class PGliteDirectoryInUseError extends DuetError {
  override readonly name = 'PGliteDirectoryInUseError';
  constructor(
    /** The data directory, resolved to an absolute path. */
    readonly directory: string,
    /** The process that holds it. */
    readonly pid: number,
    /** The host that process runs on (the lock cannot tell whether a process elsewhere lives). */
    readonly hostname: string,
    /** The lock file that says so. */
    readonly lockFile: string,
  ) {
    super(
      ErrorCode.PGLITE_DIRECTORY_IN_USE,
      `the PGlite directory ${directory} is in use by process ${pid} on ${hostname}: PGlite allows one process per directory; stop that process (the app, another duet) and try again (if ${pid} is no Duet process, the lock is left over: delete ${lockFile})`,
    );
  }
}
