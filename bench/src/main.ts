// `npm run bench -- <workload> [options]`: results to stdout, progress to stderr.
import { parseBenchArgs, USAGE } from './cli/parse-bench-args.ts';
import { workloads } from './workloads.ts';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseBenchArgs>;
  try {
    args = parseBenchArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const run = args.workload === undefined ? undefined : workloads[args.workload];
  if (run === undefined) {
    process.stderr.write(`unknown workload '${args.workload ?? ''}'\n\n${USAGE}`);
    return 2;
  }
  await run(args);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
