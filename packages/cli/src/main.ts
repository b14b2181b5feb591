import { CommanderError } from 'commander';
import { type CliIo, processIo } from './cli-io.ts';
import { ExitCode } from './exit-code.ts';
import { createStyle } from './output/style.ts';
import { useColor } from './output/use-color.ts';
import { createProgram } from './program.ts';
import { reportError } from './report-error.ts';

/**
 * Runs `duet` with `argv` (without node and the script) and resolves to the exit code.
 *
 * @example
 * process.exitCode = await main(['streams', 'list', '--json']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      const shown = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      return shown ? ExitCode.ok : ExitCode.usage;
    }
    const style = createStyle(useColor(io.stderr, io.env, !argv.includes('--no-color')));
    return reportError(error, io.stderr, style, argv.includes('--verbose'));
  }
}
