import { createProjectionRunner, type ProjectionRunner } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import type { Session } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';

/**
 * A projection runner over the session's store with the --config's projections (only
 * those named `only`, every version, when given), in the schemas the config names. It is
 * not started: status and dead letters are read from the tables the app's runner keeps.
 */
export function openRunner(session: Session, only?: string): ProjectionRunner {
  const all = session.config.projections ?? [];
  if (all.length === 0) {
    throw new CliError(
      ExitCode.usage,
      'no projections: this command needs --config with a `projections` array',
      'see docs/cli.md, "The --config module"',
    );
  }
  const projections = only === undefined ? all : all.filter((p) => p.name === only);
  if (projections.length === 0) {
    throw new CliError(
      ExitCode.notFound,
      `no projection named ${only} in --config`,
      `known: ${[...new Set(all.map((p) => p.name))].join(', ')}`,
    );
  }
  const runner = session.config.projectionRunner ?? {};
  return createProjectionRunner({
    store: { executor: session.db.executor, schema: session.schema },
    projections,
    ...(runner.schema === undefined ? {} : { schema: runner.schema }),
    ...(runner.readModelSchema === undefined ? {} : { readModelSchema: runner.readModelSchema }),
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
        'start the app (its projection runner creates them) or run: duet projections rebuild <name>',
        { cause: error },
      );
    }
    throw error;
  }
}
