import {
  ALL_MIGRATIONS,
  DEFAULT_PROCESSORS_SCHEMA,
  type Migration,
  migrate,
  PERSONAL_DATA_MIGRATIONS,
  PROCESSOR_MIGRATIONS,
} from '@duet/postgres';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import type { DuetCliConfig } from '../config/cli-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { openDatabase } from '../database/open-database.ts';
import { schemaOf } from '../database/open-session.ts';
import { checkSchema } from '../options/check-schema.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';

const examples = `
Examples:
  $ duet migrate --database-url postgres://app@db:5432/shop --schema orders
  $ duet migrate --pglite ./.data/pglite          # creates the directory on first run
  $ duet migrate --json                           # {"schema":"duet","applied":[...],"upToDate":[...]}
  $ duet migrate --processors-schema duet_projections   # also the processor runner's tables
  $ duet migrate --config ./duet.config.ts        # with projections: their runner's tables too
  $ duet migrate --schema customers --personal-data-schema customers_keys   # and the key table
`;

const label = (m: Migration) => `${String(m.version).padStart(3, '0')}-${m.name}`;

/**
 * `duet migrate`: creates or updates the event store's schema, and the processor
 * runner's tables when --processors-schema is given or the --config has projections
 * (in its `projectionRunner.schema`, default duet_projections); a second run applies nothing.
 */
export function migrateCommand(io: CliIo): Command {
  return new Command('migrate')
    .description("create Duet's tables in the schema, or bring them up to date")
    .option(
      '--processors-schema <name>',
      "also migrate the processor runner's tables (checkpoints, dead letters, ...) into this schema",
    )
    .option(
      '--personal-data-schema <name>',
      'also migrate the personal data key table (see duet forget) into this schema',
    )
    .addHelpText('after', examples)
    .action(
      async (
        commandOptions: { processorsSchema?: string; personalDataSchema?: string },
        command: Command,
      ) => {
        const options = readGlobalOptions(command);
        const output = commandOutput(io, options);
        const config = await loadConfig(options.config);
        const schema = checkSchema(schemaOf(options, config));
        const processorsSchema = processorsSchemaOf(commandOptions, config);
        await using db = await openDatabase(options.target, { create: true });
        const { applied } = await migrate(db.executor, { schema });
        const processors =
          processorsSchema === null
            ? null
            : {
                schema: processorsSchema,
                ...(await migrate(db.executor, { schema: processorsSchema, set: 'processors' })),
              };
        const keysSchema =
          commandOptions.personalDataSchema === undefined
            ? null
            : checkSchema(commandOptions.personalDataSchema);
        const personalData =
          keysSchema === null
            ? null
            : {
                schema: keysSchema,
                ...(await migrate(db.executor, { schema: keysSchema, set: 'personal-data' })),
              };
        if (output.json) {
          const upToDate = (all: readonly Migration[], done: string[]) =>
            all.map(label).filter((m) => !done.includes(m));
          writeJson(io.stdout, {
            schema,
            applied,
            upToDate: upToDate(ALL_MIGRATIONS, applied),
            ...(processors
              ? {
                  processors: {
                    ...processors,
                    upToDate: upToDate(PROCESSOR_MIGRATIONS, processors.applied),
                  },
                }
              : {}),
            ...(personalData
              ? {
                  personalData: {
                    ...personalData,
                    upToDate: upToDate(PERSONAL_DATA_MIGRATIONS, personalData.applied),
                  },
                }
              : {}),
          });
          return;
        }
        const { out } = output;
        const report = (name: string, done: string[]) => {
          if (done.length === 0) {
            io.stdout.write(
              `schema ${name} on ${db.description} is up to date: nothing to apply\n`,
            );
            return;
          }
          io.stdout.write(`migrated schema ${name} on ${db.description}:\n`);
          for (const migration of done) io.stdout.write(`  ${out.green('applied')} ${migration}\n`);
        };
        report(schema, applied);
        if (processors) report(processors.schema, processors.applied);
        if (personalData) report(personalData.schema, personalData.applied);
      },
    );
}

/** --processors-schema, else the --config's runner schema when it has projections, else none. */
function processorsSchemaOf(
  options: { processorsSchema?: string },
  config: DuetCliConfig,
): string | null {
  if (options.processorsSchema !== undefined) return checkSchema(options.processorsSchema);
  if ((config.projections ?? []).length === 0) return null;
  return checkSchema(config.projectionRunner?.schema ?? DEFAULT_PROCESSORS_SCHEMA);
}
