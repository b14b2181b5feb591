import { createProjectionRunner, type ProjectionRunner } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import type { Session } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';
import { configProjections } from './config-projections.ts';

/**
 * A projection runner over the session's store with the --config's projections (only
 * those named `only`, every version, when given), in the schemas the config names. It is
 * not started: dead letters are read from the tables the app's runner keeps, and a local
 * rebuild starts it.
 */
export function openRunner(session: Session, only?: string): ProjectionRunner {
  return createProjectionRunner({
    store: { executor: session.db.executor, schema: session.schema },
    ...configProjections(session, only),
  });
}

// undefined_table, invalid_schema_name: the runner has never started on this database.
const missing = new Set(['42P01', '3F000']);

/** Reads through `fn`, turning "no runner tables" into exit 5 with what to do. */
export async function readRunnerTables<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && missing.has(code)) {
      throw new CliError(
        ExitCode.notMigrated,
        'no projection runner tables in this database',
        'run: duet migrate --config <your config> (or --processors-schema <schema>)',
        { cause: error },
      );
    }
    throw error;
  }
}
