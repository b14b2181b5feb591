import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createPgExecutor,
  type OpenedPGlite,
  openPGlite,
  PGliteDirectoryInUseError,
  type SqlExecutor,
} from '@duet/postgres';
import pg from 'pg';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';
import type { DatabaseTarget } from '../options/global-options.ts';
import { isConnectionFailure } from './connection-failure.ts';
import { redactUrl } from './redact-url.ts';

/** An open database: close it (or `await using`) when done. */
export interface OpenDatabase extends AsyncDisposable {
  readonly executor: SqlExecutor;
  /** `PostgreSQL postgres://user:***@host/db` or `PGlite in /path`, for messages. */
  readonly description: string;
  close(): Promise<void>;
}

// A CLI should fail fast on an unreachable host rather than wait on the OS (minutes).
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens the target and proves the connection with `SELECT 1`. A PGlite directory must
 * already hold a database unless `create` (only `duet migrate` creates one), and no other
 * live process may have it open (`PGliteDirectoryInUseError`, exit 4).
 */
export async function openDatabase(
  target: DatabaseTarget | null,
  options: { readonly create: boolean },
): Promise<OpenDatabase> {
  if (target === null) {
    throw new CliError(
      ExitCode.usage,
      'no database given',
      'pass --database-url <url> (or set DATABASE_URL), or --pglite <dir>',
    );
  }
  return target.kind === 'postgres'
    ? openPostgres(target.url)
    : openPGliteDirectory(resolve(target.dir), options.create);
}

async function openPostgres(url: string): Promise<OpenDatabase> {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new CliError(
      ExitCode.usage,
      'the database URL is not a URL',
      'expected postgres://user@host:5432/database',
    );
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new CliError(
      ExitCode.usage,
      `the database URL must start with postgres://, not ${protocol}//`,
    );
  }
  const description = `PostgreSQL ${redactUrl(url)}`;
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  pool.on('error', () => {}); // a dropped idle client must not crash the CLI
  const executor = createPgExecutor({ pool });
  const close = async () => {
    await executor.close();
    await pool.end();
  };
  try {
    await executor.query('SELECT 1');
  } catch (error) {
    await close().catch(() => {});
    throw isConnectionFailure(error)
      ? new CliError(
          ExitCode.unavailable,
          `cannot connect to ${description}: ${reason(error)}`,
          undefined,
          { cause: error },
        )
      : error;
  }
  return { executor, description, close, [Symbol.asyncDispose]: close };
}

async function openPGliteDirectory(dir: string, create: boolean): Promise<OpenDatabase> {
  const description = `PGlite in ${dir}`;
  // PGlite keeps a PostgreSQL data directory; PG_VERSION is there once initialised.
  if (!create && !existsSync(join(dir, 'PG_VERSION'))) {
    throw new CliError(
      ExitCode.unavailable,
      `no PGlite database in ${dir}`,
      `create one with: duet migrate --pglite ${dir}`,
    );
  }
  let pglite: OpenedPGlite;
  try {
    // Takes the directory's lock first: an app (or another duet) on it is refused here.
    pglite = await openPGlite(dir);
  } catch (error) {
    if (error instanceof PGliteDirectoryInUseError) throw error; // exit 4, see report-error.ts
    throw new CliError(
      ExitCode.unavailable,
      `cannot open ${description}: ${reason(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const close = () => pglite.close();
  return { executor: pglite.executor, description, close, [Symbol.asyncDispose]: close };
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error)
    return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
