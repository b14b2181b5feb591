import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import { changePause } from '../projections/change-pause.ts';
import { openRunner } from '../projections/open-runner.ts';
import { operatorName } from '../projections/operator-name.ts';

const examples = `
Examples:
  $ duet projections pause order_history --config ./duet.config.ts
  $ duet projections pause order_history --by "alice: fixing prices" --config ./duet.config.ts

Records the pause in the database: every runner of the projection, in any process,
finishes its batch in flight and applies nothing more (every version and partition) until
duet projections resume; events keep arriving and its lag grows. It outlives restarts.
Pausing a paused projection keeps the first pause's author and time. A projection no
runner has set up yet exits 3.
With --json: {"name","pausedAt","pausedBy"}.`;

/** `duet projections pause <name>`: stops a projection's runners after their batch in flight. */
export function projectionsPauseCommand(io: CliIo): Command {
  return new Command('pause')
    .description('pause a projection wherever it runs, until resumed')
    .argument('<name>', 'the projection name, as in defineProjection')
    .option('--by <who>', 'who pauses it, shown by status [the OS user name]')
    .addHelpText('after', examples)
    .action(async (name: string, options: { by?: string }, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global);
      await using runner = openRunner(session, name);
      const by = options.by ?? operatorName(io.env);
      const pause = await changePause(name, () =>
        runner.pause(name, by === undefined ? {} : { by }),
      );
      if (output.json) {
        writeJson(io.stdout, pause);
        return;
      }
      const who = pause.pausedBy === undefined ? '' : ` by ${pause.pausedBy}`;
      io.stdout.write(`paused ${name}${who} since ${pause.pausedAt}\n`);
      output.note(`its runners stop after their batch in flight; duet projections resume ${name}`);
    });
}
