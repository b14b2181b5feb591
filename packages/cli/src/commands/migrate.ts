import { ALL_MIGRATIONS, migrate } from '@duet/postgres';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openDatabase } from '../database/open-database.ts';
import { checkSchema } from '../options/check-schema.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';

const examples = `
Examples:
  $ duet migrate --database-url postgres://app@db:5432/shop --schema orders
  $ duet migrate --pglite ./.data/pglite          # creates the directory on first run
  $ duet migrate --json                           # {"schema":"duet","applied":[...],"upToDate":[...]}
`;

/** `duet migrate`: creates or updates the schema; a second run applies nothing. */
export function migrateCommand(io: CliIo): Command {
  return new Command('migrate')
    .description("create Duet's tables in the schema, or bring them up to date")
    .addHelpText('after', examples)
    .action(async (_options: unknown, command: Command) => {
      const options = readGlobalOptions(command);
      const output = commandOutput(io, options);
      const schema = checkSchema(options.schema);
      await using db = await openDatabase(options.target, { create: true });
      const { applied } = await migrate(db.executor, { schema });
      if (output.json) {
        const all = ALL_MIGRATIONS.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`);
        writeJson(io.stdout, {
          schema,
          applied,
          upToDate: all.filter((m) => !applied.includes(m)),
        });
        return;
      }
      const { out } = output;
      if (applied.length === 0) {
        io.stdout.write(`schema ${schema} on ${db.description} is up to date: nothing to apply\n`);
        return;
      }
      io.stdout.write(`migrated schema ${schema} on ${db.description}:\n`);
      for (const name of applied) io.stdout.write(`  ${out.green('applied')} ${name}\n`);
    });
}
