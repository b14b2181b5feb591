import { openProcessors, type Processors } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import type { Session } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';
import { configProjections } from './config-projections.ts';

/**
 * The --config's projections (only those named `only`, every version, when given) over
 * the session's store, in the schemas the config names. Not started: status, dead letters
 * and rebuild requests are read from the tables the app's runners keep; a local rebuild
 * starts it. `stallAfterMs` (a command's option) wins over the config's.
 */
export function openRunner(
  session: Session,
  only?: string,
  options: { readonly stallAfterMs?: number | undefined } = {},
): Processors {
  return openProcessors({
    store: { executor: session.db.executor, schema: session.schema },
    ...configProjections(session, only),
    ...(options.stallAfterMs === undefined ? {} : { stallAfterMs: options.stallAfterMs }),
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
