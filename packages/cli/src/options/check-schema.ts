import { ValidationError } from '@duet/core';
import { checkSchemaName } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/** The --schema value if it is a name Duet accepts; else a usage error (exit 2). */
export function checkSchema(schema: string): string {
  try {
    return checkSchemaName(schema);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new CliError(
      ExitCode.usage,
      `--schema ${JSON.stringify(schema)} is not a schema name Duet accepts`,
      'use a lower-case identifier: a-z, 0-9 and _, at most 40 characters, not pg_*',
    );
  }
}
