import type { LoopFigures } from './measure-closed-loops.ts';
import type { ExecutorKind, TenancyResult } from './tenancy-config.ts';

/** What a line names: the workload, the shape, and what ran it. */
export interface LineLabel {
  readonly workload: TenancyResult['workload'];
  readonly shape: string;
  readonly system: string;
  readonly executor: ExecutorKind;
  readonly tenants: number;
  readonly round: number;
}

/** Runs a measurement; a failure becomes its message, so the other lines still run. */
export async function attempt(fn: () => Promise<LoopFigures>): Promise<LoopFigures | string> {
  try {
    return await fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The JSON line of a measurement, or of its failure (figures 0, left out of ratios). */
export function tenancyLine(label: LineLabel, figures: LoopFigures | string): TenancyResult {
  if (typeof figures !== 'string') return { ...label, ...figures };
  return {
    ...label,
    events_per_sec: 0,
    calls_per_sec: 0,
    p50_ms: 0,
    p99_ms: 0,
    max_ms: 0,
    seconds: 0,
    peak_rss_mb: 0,
    error: figures,
  };
}
