import type { TenancyResult } from './tenancy-config.ts';

/** One line per shape and tenant count: the isolated executor against the plain one. */
export interface TenancyRatio {
  readonly workload: 'tenancy-ratio';
  readonly shape: string;
  readonly system: string;
  readonly tenants: number;
  /** Isolated / plain events per second (plain as the mean of its rounds). */
  readonly ratio: number | null;
  readonly plain_events_per_sec: number | null;
  readonly isolated_events_per_sec: number;
}

/** One line per Duet command line: Duet / Emmett commands per second. */
export interface CommandRatio {
  readonly workload: 'command-ratio';
  readonly system: string;
  readonly executor: string;
  readonly tenants: number;
  readonly ratio_to_emmett: number | null;
  readonly events_per_sec: number;
  readonly emmett_events_per_sec: number | null;
}

/** Isolated / plain for every isolated line; failed lines count as missing. */
export function tenancyRatios(results: readonly TenancyResult[]): TenancyRatio[] {
  const ok = results.filter((r) => r.error === undefined && r.workload !== 'command');
  return ok
    .filter((r) => r.executor === 'isolated')
    .map((isolated) => {
      const plain = mean(
        ok.filter(
          (r) =>
            r.executor === 'plain' && r.shape === isolated.shape && r.system === isolated.system,
        ),
      );
      return {
        workload: 'tenancy-ratio',
        shape: isolated.shape,
        system: isolated.system,
        tenants: isolated.tenants,
        ratio: divide(isolated.events_per_sec, plain),
        plain_events_per_sec: plain,
        isolated_events_per_sec: isolated.events_per_sec,
      };
    });
}

/** Each Duet command line against Emmett's of the same run. */
export function commandRatios(results: readonly TenancyResult[]): CommandRatio[] {
  const commands = results.filter((r) => r.workload === 'command' && r.error === undefined);
  const emmett = mean(commands.filter((r) => r.system === 'emmett'));
  return commands
    .filter((r) => r.system !== 'emmett')
    .map((r) => ({
      workload: 'command-ratio',
      system: r.system,
      executor: r.executor,
      tenants: r.tenants,
      ratio_to_emmett: divide(r.events_per_sec, emmett),
      events_per_sec: r.events_per_sec,
      emmett_events_per_sec: emmett,
    }));
}

function mean(results: readonly TenancyResult[]): number | null {
  if (results.length === 0) return null;
  return Math.round(results.reduce((sum, r) => sum + r.events_per_sec, 0) / results.length);
}

function divide(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
