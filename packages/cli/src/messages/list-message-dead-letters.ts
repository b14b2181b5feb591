import type { CommandOutput } from '../output/command-output.ts';
import { renderTable } from '../output/render-table.ts';
import { truncate } from '../output/truncate.ts';
import { writeJson } from '../output/write-json.ts';
import {
  type MessageDeadLetterOptions,
  openMessageTransport,
} from './message-dead-letter-options.ts';

/** `duet dead-letters list --nats <url>`: messages consumers gave up on, oldest first. */
export async function listMessageDeadLetters(
  output: CommandOutput,
  options: MessageDeadLetterOptions,
): Promise<void> {
  await using transport = await openMessageTransport(options, output.io.env);
  const letters = await transport.deadLetters(options.consumer);
  const { stdout } = output.io;
  if (output.json) {
    writeJson(stdout, letters);
    return;
  }
  if (letters.length === 0) {
    stdout.write('no dead letters\n');
    return;
  }
  const rows = letters.map((letter) => [
    letter.id,
    letter.consumer,
    letter.message.subject,
    `${letter.message.headers['Duet-Stream'] ?? '?'}@${letter.message.headers['Duet-Stream-Version'] ?? '?'}`,
    String(letter.attempts),
    letter.at,
    truncate(letter.error, 60),
  ]);
  const head = ['id', 'consumer', 'subject', 'event', 'attempts', 'at', 'error'];
  stdout.write(renderTable(head, rows, output.out));
  stdout.write(
    'send again after a fix: duet dead-letters retry <id> --nats <url> (or --consumer <name>)\n',
  );
}
