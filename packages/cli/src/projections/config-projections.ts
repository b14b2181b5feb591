import type { ProjectionDefinition } from '@duet/core';
import { CliError } from '../cli-error.ts';
import type { Session } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';

/**
 * The --config's projections (only those named `only`, every version, when given), and
 * the schemas and stall time the app's runner uses; a usage error when there are none.
 */
export function configProjections(
  session: Session,
  only?: string,
): {
  readonly projections: readonly ProjectionDefinition[];
  readonly schema?: string;
  readonly readModelSchema?: string;
  readonly stallAfterMs?: number;
} {
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
  return {
    projections,
    ...(runner.schema === undefined ? {} : { schema: runner.schema }),
    ...(runner.readModelSchema === undefined ? {} : { readModelSchema: runner.readModelSchema }),
    ...(runner.stallAfterMs === undefined ? {} : { stallAfterMs: runner.stallAfterMs }),
  };
}
