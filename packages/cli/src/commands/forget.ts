import { createPostgresPersonalDataKeys, forgetPersonalData } from '@duet/postgres';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { checkSchema } from '../options/check-schema.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import { operatorName } from '../projections/operator-name.ts';

const examples = `
Examples:
  $ duet forget customer-7 --schema customers --by "alice: GDPR request 1234"
  $ duet forget customer-7 --schema customers --keys-schema customers_keys --json

Deletes the data subject's key from the key table (a tombstone row stays, so it never gets
a new one) and appends PersonalDataForgotten {subject, forgottenAt, by} to the stream
personal_data-<subject>, in one transaction; then VACUUMs the key table. Every field
sealed with that key reads as forgotten from then on, in reads, projections, rebuilds and
relayed messages. Cannot be undone. Forgetting a forgotten subject changes nothing (exit 0).
With --json: {"subject","deleted","forgottenAt","stream","position"} (position null when
the erasure was recorded by an earlier call).`;

/** `duet forget <subject>`: crypto-shreds a data subject's personal data. */
export function forgetCommand(io: CliIo): Command {
  return new Command('forget')
    .description("erase a data subject's personal data by deleting its key (cannot be undone)")
    .argument('<subject>', 'the data subject, as the event definitions name it (customer-7)')
    .option('--keys-schema <name>', 'the schema of the key table [<schema>_keys]')
    .option('--by <who>', 'who asks, recorded on the erasure event [the OS user name]')
    .addHelpText('after', examples)
    .action(
      async (subject: string, options: { keysSchema?: string; by?: string }, command: Command) => {
        const global = readGlobalOptions(command);
        const output = commandOutput(io, global);
        await using session = await openSession(global, { inTenant: true });
        const keys = createPostgresPersonalDataKeys({
          executor: session.executor,
          schema: checkSchema(options.keysSchema ?? `${session.schema}_keys`),
        });
        const by = options.by ?? operatorName(io.env) ?? 'cli';
        const result = await forgetPersonalData({ store: session.store, keys, subject, by });
        if (output.json) {
          writeJson(io.stdout, result);
          return;
        }
        if (result.position === null) {
          io.stdout.write(`${subject} was already forgotten at ${result.forgottenAt}\n`);
          return;
        }
        io.stdout.write(
          `forgot ${subject} at ${result.forgottenAt}: key ${result.deleted ? 'deleted' : 'never existed; tombstone kept'}, erasure recorded in ${result.stream}\n`,
        );
        output.note('its personal fields now read as forgotten everywhere');
      },
    );
}
