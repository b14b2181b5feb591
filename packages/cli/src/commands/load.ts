import { Command, Option } from 'commander';
import { CliError } from '../cli-error.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../config/load-config.ts';
import { ExitCode } from '../exit-code.ts';
import {
  loadPlan,
  parseApiKeys,
  parseSeconds,
  type RawLoadOptions,
  serviceUrls,
} from '../load/load-options.ts';
import { createLoadProgress } from '../load/load-progress.ts';
import { loadSummary, renderLoadSummary } from '../load/load-summary.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { parseCount } from '../options/parse-count.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';

const examples = `
Examples:
  $ duet load shop --config apps/shop/duet.config.ts --url http://127.0.0.1:3000 --rate 50 --duration 30
  $ duet load shop --config apps/shop/duet.config.ts --clients 64 --duration 60 \\
      --service customers=http://127.0.0.1:3001 --service catalog=http://127.0.0.1:3002 \\
      --service orders=http://127.0.0.1:3003 --service payments=http://127.0.0.1:3004 \\
      --service order-history=http://127.0.0.1:3005
  $ duet load shop --config apps/shop/duet.config.ts --url http://127.0.0.1:3000 --rate 20 --duration 5 --json

Runs a workload the --config module names in \`workloads\`. It first sets up what it needs
(the shop: customers, products, stock), then starts units of work (orders): with --rate,
an open loop that starts each at its planned time whether or not earlier ones are done;
with --clients, a closed loop where each client waits for its last unit to settle. Units
started in the --warmup seconds are not counted; after --duration, units in flight get
--drain seconds to settle and are then counted as "not settled". Progress on stderr (a
bar on a terminal, a line a second elsewhere); the summary on stdout: units started,
accepted and succeeded per second, outcomes by reason, and p50/p99 of acceptance → the
read side showing the unit settled (and first showing it at all).
API keys: --api-keys or DUET_API_KEYS, a JSON object of key → {"id","roles"} (the same
JSON an app's SHOP_API_KEYS takes); without it the workload uses its own defaults.
Ctrl-C stops starting units, prints the summary so far and exits 130.
With --json: one object {"workload","mode","started","accepted","succeeded",
"acceptedPerSec","succeededPerSec","outcomes","settledMs","visibleMs","details",...}.`;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `duet load <workload>`: load an app over HTTP with a workload its --config ships. */
export function loadCommand(io: CliIo): Command {
  return new Command('load')
    .description('put load on a running app with a workload its --config ships, and summarise')
    .argument('<workload>', "the workload name, as in the config module's `workloads`")
    .addOption(
      new Option('--rate <n>', 'units started per second (open loop)').argParser(
        parseCount(1, 100_000),
      ),
    )
    .addOption(
      new Option(
        '--clients <n>',
        'clients, each waiting for its last unit (closed loop)',
      ).argParser(parseCount(1, 10_000)),
    )
    .addOption(
      new Option('--duration <s>', 'measured seconds').argParser(parseSeconds(0.1)).default(10),
    )
    .addOption(
      new Option('--warmup <s>', 'unmeasured seconds of the same load first')
        .argParser(parseSeconds(0))
        .default(0),
    )
    .addOption(
      new Option('--drain <s>', 'seconds units in flight may take to settle after the last start')
        .argParser(parseSeconds(0))
        .default(30),
    )
    .option('--url <url>', 'base URL of an app that serves every service (one process)')
    .option(
      '--service <name=url>',
      'base URL of one service, e.g. orders=http://127.0.0.1:3003 (repeat for each)',
      collect,
    )
    .addOption(
      new Option('--api-keys <json>', 'API keys: JSON of key → {"id","roles"}').env(
        'DUET_API_KEYS',
      ),
    )
    .addHelpText('after', examples)
    .action(async (name: string, options: RawLoadOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      const plan = loadPlan(options);
      const apiKeys = parseApiKeys(options.apiKeys);
      const config = await loadConfig(global.config);
      const workloads = config.workloads ?? {};
      const workload = workloads[name];
      if (workload === undefined) {
        const known = Object.keys(workloads);
        throw new CliError(
          known.length === 0 ? ExitCode.usage : ExitCode.notFound,
          known.length === 0
            ? 'no workloads: duet load needs --config with a `workloads` object'
            : `no workload named ${name} in --config`,
          known.length === 0 ? 'see docs/cli.md, "duet load"' : `known: ${known.join(', ')}`,
        );
      }
      const urls = serviceUrls(workload, name, options);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const expectedUnits =
        plan.shape.mode === 'open'
          ? Math.ceil(plan.shape.rate * (plan.durationS + plan.warmupS))
          : // A closed loop's pace is unknown: enough for 50 units a client-second.
            Math.ceil(plan.shape.clients * 50 * (plan.durationS + plan.warmupS));
      const concurrency =
        plan.shape.mode === 'open'
          ? Math.max(16, Math.ceil(plan.shape.rate * Math.min(plan.drainS, 5)))
          : plan.shape.clients;
      output.note(`load ${name}: ${workload.description}; setting up`);
      const session = await workload.prepare({
        urls,
        apiKeys,
        expectedUnits,
        concurrency,
        signal: stop.signal,
        note: output.note,
      });
      const progress = createLoadProgress(io.stderr, `load ${name}`, {
        totalS: plan.warmupS + plan.durationS,
        unit: workload.unit,
        acceptedAs: workload.accepted,
        success: workload.success,
      });
      try {
        // Loaded here: its histograms cost every other command's start about 25 ms.
        const { runLoad } = await import('../load/run-load.ts');
        const result = await runLoad(session, plan, {
          success: workload.success,
          signal: stop.signal,
          onProgress: progress.update,
        });
        progress.stop();
        const summary = loadSummary(name, workload, plan, result, session.describe());
        if (output.json) writeJson(io.stdout, summary);
        else io.stdout.write(renderLoadSummary(summary, output.out));
        if (result.interrupted) {
          throw new CliError(ExitCode.interrupted, `load ${name} interrupted`);
        }
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await session.close();
      }
    });
}
