import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';
import { checkDeadLetterSelection } from '../options/check-dead-letter-selection.ts';
import type { CommandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import {
  type MessageDeadLetterOptions,
  openMessageTransport,
} from './message-dead-letter-options.ts';

/**
 * `duet dead-letters skip <id>|--consumer <name> --nats <url>`: drops dead letters from
 * the broker's dead-letter stream without sending them again, as a consumer's
 * `discard()` does in its own process: for messages no consumer must ever act on.
 */
export async function skipMessageDeadLetters(
  output: CommandOutput,
  id: string | undefined,
  options: MessageDeadLetterOptions,
): Promise<void> {
  checkDeadLetterSelection(id, options.consumer, '--consumer');
  await using transport = await openMessageTransport(options, output.io.env);
  const letters = (await transport.deadLetters(options.consumer)).filter(
    (letter) => id === undefined || letter.id === id,
  );
  if (letters.length === 0) {
    throw new CliError(
      ExitCode.notFound,
      id !== undefined ? `no dead letter ${id}` : `no dead letters for ${options.consumer}`,
      'see: duet dead-letters list --nats <url>',
    );
  }
  for (const letter of letters) await transport.removeDeadLetter(letter.id);
  const skipped = letters.length;
  if (output.json) writeJson(output.io.stdout, { skipped });
  else
    output.io.stdout.write(
      `dropped ${skipped} dead letter${skipped === 1 ? '' : 's'} (not sent again)\n`,
    );
}
