import { renderTable } from '../output/render-table.ts';
import type { Style } from '../output/style.ts';
import type { LatencyPercentiles } from './load-tally.ts';
import type { LoadWorkload } from './load-workload.ts';
import type { LoadPlan, LoadRunResult } from './run-load.ts';

/** The closing summary of `duet load`, as `--json` prints it. */
export interface LoadSummary {
  readonly workload: string;
  /** The workload's words: `orders`, `placed`, `confirmed`. */
  readonly unit: string;
  readonly acceptedAs: string;
  readonly success: string;
  readonly mode: 'open' | 'closed';
  readonly rate: number | null;
  readonly clients: number | null;
  readonly durationS: number;
  readonly warmupS: number;
  /** Units started in the measured window; `outcomes` adds up to it. */
  readonly started: number;
  readonly accepted: number;
  readonly succeeded: number;
  /** Per second of the measured window. */
  readonly acceptedPerSec: number;
  readonly succeededPerSec: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Acceptance → the read side shows the unit in its final state. */
  readonly settledMs: LatencyPercentiles;
  /** Acceptance → the read side first shows the unit. */
  readonly visibleMs: LatencyPercentiles;
  /** Units aborted when the drain time ran out (counted as `not settled`). */
  readonly abandoned: number;
  readonly interrupted: boolean;
  /** What the workload says about its run (e.g. the order id prefix). */
  readonly details: Record<string, unknown>;
}

/** Builds the summary from the run. */
export function loadSummary(
  name: string,
  workload: LoadWorkload,
  plan: LoadPlan,
  result: LoadRunResult,
  details: Record<string, unknown>,
): LoadSummary {
  const { tally } = result;
  const perSec = (n: number) => Math.round((n / plan.durationS) * 10) / 10;
  return {
    workload: name,
    unit: workload.unit,
    acceptedAs: workload.accepted,
    success: workload.success,
    mode: plan.shape.mode,
    rate: plan.shape.mode === 'open' ? plan.shape.rate : null,
    clients: plan.shape.mode === 'closed' ? plan.shape.clients : null,
    durationS: plan.durationS,
    warmupS: plan.warmupS,
    started: tally.started,
    accepted: tally.accepted,
    succeeded: tally.succeeded,
    acceptedPerSec: perSec(tally.accepted),
    succeededPerSec: perSec(tally.succeeded),
    outcomes: tally.outcomes,
    settledMs: tally.settledMs,
    visibleMs: tally.visibleMs,
    abandoned: result.abandoned,
    interrupted: result.interrupted,
    details,
  };
}

/**
 * The summary for people: the shape of the run, the counts and rates, outcomes by
 * reason, and the two latencies.
 */
export function renderLoadSummary(summary: LoadSummary, style: Style): string {
  const { unit } = summary;
  const shape =
    summary.mode === 'open'
      ? `open loop at ${summary.rate} ${unit}/s`
      : `closed loop of ${summary.clients} clients`;
  const warmup = summary.warmupS > 0 ? ` after ${summary.warmupS} s of warm-up` : '';
  const lines = [
    `${style.bold(`load ${summary.workload}`)}: ${shape} for ${summary.durationS} s${warmup}${summary.interrupted ? style.yellow(' (interrupted)') : ''}`,
    `${unit} started: ${summary.started}, ${summary.acceptedAs}: ${summary.accepted} (${summary.acceptedPerSec}/s), ${summary.success}: ${summary.succeeded} (${summary.succeededPerSec}/s)`,
  ];
  const share = (n: number) =>
    summary.started === 0 ? '-' : `${((n / summary.started) * 100).toFixed(1)} %`;
  const outcomes = renderTable(
    ['outcome', unit, 'share'],
    Object.entries(summary.outcomes).map(([outcome, n]) => [
      outcome === summary.success ? style.green(outcome) : outcome,
      String(n),
      share(n),
    ]),
    style,
  );
  const latency = (name: string, p: LatencyPercentiles) => [
    name,
    String(p.count),
    p.count === 0 ? '-' : p.p50.toFixed(1),
    p.count === 0 ? '-' : p.p99.toFixed(1),
    p.count === 0 ? '-' : p.max.toFixed(1),
  ];
  const latencies = renderTable(
    [`latency from ${summary.acceptedAs}`, unit, 'p50 ms', 'p99 ms', 'max ms'],
    [
      latency('read side shows it settled', summary.settledMs),
      latency('read side first shows it', summary.visibleMs),
    ],
    style,
  );
  const notes =
    summary.abandoned > 0
      ? `${style.yellow(`${summary.abandoned} ${unit} had not settled when the drain time ran out`)}\n`
      : '';
  return `${lines.join('\n')}\n${outcomes}${latencies}${notes}`;
}
