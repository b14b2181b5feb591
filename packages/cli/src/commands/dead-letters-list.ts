import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { listMessageDeadLetters } from '../messages/list-message-dead-letters.ts';
import type { MessageDeadLetterOptions } from '../messages/message-dead-letter-options.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { renderTable } from '../output/render-table.ts';
import { truncate } from '../output/truncate.ts';
import { writeJson } from '../output/write-json.ts';
import { openRunner, readRunnerTables } from '../projections/open-runner.ts';

const examples = `
Examples:
  $ duet dead-letters list --config ./duet.config.ts
  $ duet dead-letters list --projection order_history --json | jq '.[].error'
  $ duet dead-letters list --nats nats://127.0.0.1:4222 --consumer order_history

Events a projection could not apply under its 'skip' or 'park' failure policy, oldest
first. With --json: [{"id","name","version","partition","event","error","parked","createdAt"}].
With --nats: the messages consumers gave up on (contract violations, handlers that kept
failing), from the broker's dead-letter stream; --json: [{"id","consumer","message","error","attempts","at"}].`;

interface DeadLettersListOptions extends MessageDeadLetterOptions {
  readonly projection?: string;
}

/** `duet dead-letters list`: what projections could not apply, and why. */
export function deadLettersListCommand(io: CliIo): Command {
  return new Command('list')
    .description('list the events projections could not apply')
    .option('--projection <name>', 'only this projection')
    .option('--nats <url>', "list consumers' dead letters on this NATS server instead")
    .option('--consumer <name>', 'with --nats: only this consumer')
    .option(
      '--dead-letter-stream <name>',
      'with --nats: the dead-letter stream [DUET_DEAD_LETTERS]',
    )
    .option('--dead-letter-prefix <subject>', 'with --nats: its subject prefix [duet.dead]')
    .addHelpText('after', examples)
    .action(async (options: DeadLettersListOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      if (options.nats !== undefined) return listMessageDeadLetters(output, options);
      await using session = await openSession(global);
      await using runner = openRunner(session, options.projection);
      const letters = await readRunnerTables(() => runner.deadLetters.list(options.projection));
      if (output.json) {
        writeJson(io.stdout, letters);
        return;
      }
      if (letters.length === 0) {
        io.stdout.write('no dead letters\n');
        return;
      }
      const rows = letters.map((letter) => [
        letter.id,
        `${letter.name} v${letter.version}`,
        `${letter.event.stream}@${letter.event.streamVersion}`,
        letter.event.type,
        letter.parked ? 'parked' : 'skipped',
        letter.createdAt,
        truncate(letter.error, 60),
      ]);
      const head = ['id', 'projection', 'event', 'type', 'policy', 'at', 'error'];
      io.stdout.write(renderTable(head, rows, output.out));
      io.stdout.write(`retry after a fix: duet dead-letters retry <id> (or --projection <name>)\n`);
    });
}
