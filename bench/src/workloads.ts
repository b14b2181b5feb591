import { runAppendBench } from './append/run-append-bench.ts';
import type { BenchArgs } from './cli/parse-bench-args.ts';

/** The bench's workloads by name; `project` and `lag` join here. */
export const workloads: Record<string, (args: BenchArgs) => Promise<void>> = {
  append: (args) => runAppendBench(args),
};
