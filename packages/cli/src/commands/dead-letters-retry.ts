import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';
import type { MessageDeadLetterOptions } from '../messages/message-dead-letter-options.ts';
import { retryMessageDeadLetters } from '../messages/retry-message-dead-letters.ts';
import { checkDeadLetterSelection } from '../options/check-dead-letter-selection.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import { openRunner, readRunnerTables } from '../projections/open-runner.ts';

const examples = `
Examples:
  $ duet dead-letters retry 42 --config ./duet.config.ts
  $ duet dead-letters retry --projection order_history --config ./duet.config.ts
  $ duet dead-letters retry 7 --nats nats://127.0.0.1:4222
  $ duet dead-letters retry --consumer order_history --nats nats://127.0.0.1:4222

Re-applies the dead letters in the order they were written, in one transaction with their
removal. If apply still fails nothing changes and it exits 6; an unknown id exits 3.
With --nats: sends consumers' dead letters again on their subjects (under a new broker id)
and removes them; the consumer that gave up handles each, its inbox keeps it once.
With --json: {"retried": n}.`;

interface DeadLettersRetryOptions extends MessageDeadLetterOptions {
  readonly projection?: string;
}

/** `duet dead-letters retry <id>|--projection <name>`: re-applies after a fix. */
export function deadLettersRetryCommand(io: CliIo): Command {
  return new Command('retry')
    .description('re-apply one dead letter, or all of a projection, after a fix')
    .argument('[id]', 'the dead letter id (from dead-letters list)')
    .option('--projection <name>', 'retry every dead letter of this projection')
    .option('--nats <url>', "retry consumers' dead letters on this NATS server instead")
    .option('--consumer <name>', 'with --nats: every dead letter of this consumer')
    .option(
      '--dead-letter-stream <name>',
      'with --nats: the dead-letter stream [DUET_DEAD_LETTERS]',
    )
    .option('--dead-letter-prefix <subject>', 'with --nats: its subject prefix [duet.dead]')
    .addHelpText('after', examples)
    .action(async (id: string | undefined, options: DeadLettersRetryOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      if (options.nats !== undefined) return retryMessageDeadLetters(output, id, options);
      checkDeadLetterSelection(id, options.projection, '--projection');
      await using session = await openSession(global);
      await using runner = openRunner(session, options.projection);
      let retried: number;
      try {
        retried = await readRunnerTables(() => runner.deadLetters.retry(id ?? options.projection!));
      } catch (error) {
        if (error instanceof CliError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new CliError(
          ExitCode.incomplete,
          `retry failed, nothing changed: ${reason}`,
          undefined,
          { cause: error },
        );
      }
      if (retried === 0) {
        throw new CliError(
          ExitCode.notFound,
          id !== undefined ? `no dead letter ${id}` : `no dead letters for ${options.projection}`,
          'see: duet dead-letters list',
        );
      }
      if (output.json) writeJson(io.stdout, { retried });
      else io.stdout.write(`retried ${retried} dead letter${retried === 1 ? '' : 's'}\n`);
    });
}
