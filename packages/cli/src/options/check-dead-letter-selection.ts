import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/**
 * Checks the argument rule of `dead-letters retry` and `skip`: a dead letter id (a whole
 * number) or `flag` (`--projection <name>`, `--consumer <name>`), exactly one of them.
 *
 * @example
 * checkDeadLetterSelection(id, options.projection, '--projection');
 */
export function checkDeadLetterSelection(
  id: string | undefined,
  name: string | undefined,
  flag: '--projection' | '--consumer',
): void {
  if ((id === undefined) === (name === undefined)) {
    throw new CliError(ExitCode.usage, `give a dead letter id or ${flag} <name>, not both`);
  }
  if (id !== undefined && !/^\d+$/.test(id)) {
    throw new CliError(ExitCode.usage, `dead letter id ${JSON.stringify(id)} is not a number`);
  }
}
