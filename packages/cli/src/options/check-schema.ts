import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

// The rule @duet/postgres applies to its `schema` option (it does not export its check):
// lower case, so the NOTIFY channel matches on PGlite too.
const identifier = /^[a-z_][a-z0-9_]{0,39}$/;

/** The --schema value if it is a name Duet accepts; else a usage error (exit 2). */
export function checkSchema(schema: string): string {
  if (!identifier.test(schema) || schema.startsWith('pg_')) {
    throw new CliError(
      ExitCode.usage,
      `--schema ${JSON.stringify(schema)} is not a schema name Duet accepts`,
      'use a lower-case identifier: a-z, 0-9 and _, at most 40 characters, not pg_*',
    );
  }
  return schema;
}
