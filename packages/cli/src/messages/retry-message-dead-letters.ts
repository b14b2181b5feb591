import { republishDeadLetters } from '@duet/core';
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
 * `duet dead-letters retry <id>|--consumer <name> --nats <url>`: sends dead letters again
 * on their subjects; the consumer that gave up handles them, its inbox keeps it once.
 */
export async function retryMessageDeadLetters(
  output: CommandOutput,
  id: string | undefined,
  options: MessageDeadLetterOptions,
): Promise<void> {
  checkDeadLetterSelection(id, options.consumer, '--consumer');
  await using transport = await openMessageTransport(options, output.io.env);
  const sent = await republishDeadLetters(
    transport,
    id !== undefined ? { id } : { consumer: options.consumer! },
  );
  if (sent.length === 0) {
    throw new CliError(
      ExitCode.notFound,
      id !== undefined ? `no dead letter ${id}` : `no dead letters for ${options.consumer}`,
      'see: duet dead-letters list --nats <url>',
    );
  }
  if (output.json) writeJson(output.io.stdout, { retried: sent.length });
  else
    output.io.stdout.write(
      `sent ${sent.length} dead letter${sent.length === 1 ? '' : 's'} again\n`,
    );
}
