import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';
import type { MessageDeadLetterOptions } from '../messages/message-dead-letter-options.ts';
import { skipMessageDeadLetters } from '../messages/skip-message-dead-letters.ts';
import { checkDeadLetterSelection } from '../options/check-dead-letter-selection.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import { openRunner, readRunnerTables } from '../projections/open-runner.ts';

const examples = `
Examples:
  $ duet dead-letters skip 42 --config ./duet.config.ts
  $ duet dead-letters skip --projection order_history --config ./duet.config.ts
  $ duet dead-letters skip 7 --nats nats://127.0.0.1:4222
  $ duet dead-letters skip --consumer billing --nats nats://127.0.0.1:4222

Drops dead letters without applying them: for events a read model must never see. A
parked stream goes on with its next event. Nothing to drop (an unknown id, or none left)
exits 3.
With --nats: removes consumers' dead letters from the broker's dead-letter stream without
sending them again; no consumer handles them.
With --json: {"skipped": n}.`;

interface DeadLettersSkipOptions extends MessageDeadLetterOptions {
  readonly projection?: string;
}

/** `duet dead-letters skip <id>|--projection <name>`: drops dead letters unhandled. */
export function deadLettersSkipCommand(io: CliIo): Command {
  return new Command('skip')
    .description('drop one dead letter, or all of a projection, without applying them')
    .argument('[id]', 'the dead letter id (from dead-letters list)')
    .option('--projection <name>', 'drop every dead letter of this projection')
    .option('--nats <url>', "drop consumers' dead letters on this NATS server instead")
    .option('--consumer <name>', 'with --nats: every dead letter of this consumer')
    .option(
      '--dead-letter-stream <name>',
      'with --nats: the dead-letter stream [DUET_DEAD_LETTERS]',
    )
    .option('--dead-letter-prefix <subject>', 'with --nats: its subject prefix [duet.dead]')
    .addHelpText('after', examples)
    .action(async (id: string | undefined, options: DeadLettersSkipOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      if (options.nats !== undefined) return skipMessageDeadLetters(output, id, options);
      checkDeadLetterSelection(id, options.projection, '--projection');
      await using session = await openSession(global);
      await using runner = openRunner(session, options.projection);
      const skipped = await readRunnerTables(() =>
        runner.deadLetters.skip(id ?? options.projection!),
      );
      if (skipped === 0) {
        throw new CliError(
          ExitCode.notFound,
          id !== undefined ? `no dead letter ${id}` : `no dead letters for ${options.projection}`,
          'see: duet dead-letters list',
        );
      }
      if (output.json) writeJson(io.stdout, { skipped });
      else
        io.stdout.write(
          `dropped ${skipped} dead letter${skipped === 1 ? '' : 's'} (not applied)\n`,
        );
    });
}
