import { runAppendBench } from './append/run-append-bench.ts';
import type { BenchArgs } from './cli/parse-bench-args.ts';
import { runHttpBench } from './http/run-http-bench.ts';
import { runLagBench } from './lag/run-lag-bench.ts';
import { runProjectBench } from './project/run-project-bench.ts';
import { runRelayBench } from './relay/run-relay-bench.ts';
import { runScaleBench } from './scale/run-scale-bench.ts';
import { runShopBench } from './shop/run-shop-bench.ts';
import { runTelemetryBench } from './telemetry/run-telemetry-bench.ts';
import { runTenancyBench } from './tenancy/run-tenancy-bench.ts';

/** The bench's workloads by name. */
export const workloads: Record<string, (args: BenchArgs) => Promise<void>> = {
  append: async (args) => {
    // --tenants turns the shapes into the plain-versus-isolated comparison.
    if (args.tenants.length === 0 && args.shapes.length > 0) await runAppendBench(args);
    if (args.tenants.length > 0 || args.command) await runTenancyBench(args);
  },
  http: (args) => runHttpBench(args),
  project: (args) => runProjectBench(args),
  lag: (args) => runLagBench(args),
  relay: (args) => runRelayBench(args),
  scale: (args) => runScaleBench(args),
  shop: (args) => runShopBench(args),
  telemetry: (args) => runTelemetryBench(args),
};
