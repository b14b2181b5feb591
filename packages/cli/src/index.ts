// @duet/cli: the `duet` command. Run it as `npx duet --help`; this entry lets a program
// run it in-process and lets an app type the module it hands to --config.

export type { DuetCliConfig, StateFolder } from './config/cli-config.ts';
export { defineCliConfig } from './config/cli-config.ts';
export { ExitCode } from './exit-code.ts';
export type { LoadSummary } from './load/load-summary.ts';
export type {
  LoadContext,
  LoadOutcome,
  LoadPrincipal,
  LoadSession,
  LoadWorkload,
} from './load/load-workload.ts';
export { defineLoadWorkload } from './load/load-workload.ts';
export { main } from './main.ts';
