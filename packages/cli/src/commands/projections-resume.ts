import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import { changePause } from '../projections/change-pause.ts';
import { openRunner, readRunnerTables } from '../projections/open-runner.ts';

const examples = `
Examples:
  $ duet projections resume order_history --config ./duet.config.ts

Lifts a pause: the projection's runners go on from their checkpoints at once. Resuming a
projection that is not paused changes nothing and exits 0. A projection no runner has set
up yet exits 3.
With --json: {"name","resumed"} (resumed: false when it was not paused).`;

/** `duet projections resume <name>`: lets a paused projection go on. */
export function projectionsResumeCommand(io: CliIo): Command {
  return new Command('resume')
    .description('let a paused projection go on from its checkpoint')
    .argument('<name>', 'the projection name, as in defineProjection')
    .addHelpText('after', examples)
    .action(async (name: string, _options: unknown, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global);
      await using runner = openRunner(session, name);
      const statuses = await readRunnerTables(() => runner.status());
      const pause = statuses.find((s) => s.name === name && s.paused !== undefined)?.paused;
      await changePause(name, () => runner.resume(name));
      if (output.json) {
        writeJson(io.stdout, { name, resumed: pause !== undefined });
      } else if (pause === undefined) {
        io.stdout.write(`${name} was not paused: nothing changed\n`);
      } else {
        const who = pause.by === undefined ? '' : ` by ${pause.by}`;
        io.stdout.write(`resumed ${name} (paused${who} since ${pause.at})\n`);
      }
    });
}
