import type { LoadSummary } from '@duet/cli';
import type { ShopDeployment } from './shop-deployment.ts';

/** One result line of the shop bench (`--json` prints it as it is). */
export interface ShopLine {
  readonly workload: 'shop';
  readonly deployment: ShopDeployment['name'];
  readonly store: ShopDeployment['store'];
  readonly transport: ShopDeployment['transport'];
  /** `closed`: throughput with --clients; `open`: latency at --rate. */
  readonly case: 'closed' | 'open';
  readonly clients: number | null;
  readonly rate: number | null;
  readonly seconds: number;
  readonly warmup_seconds: number;
  readonly orders_started: number;
  readonly placed_per_sec: number;
  readonly confirmed_per_sec: number;
  /** PlaceOrder's reply → the order history shows the order confirmed or cancelled. */
  readonly settled_p50_ms: number;
  readonly settled_p99_ms: number;
  readonly settled_max_ms: number;
  /** PlaceOrder's reply → the order history first shows the order. */
  readonly visible_p50_ms: number;
  readonly visible_p99_ms: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly not_settled: number;
  /** History queries of the load's poller that failed and were tried again. */
  readonly history_query_failures: number;
}

/** The line for one `duet load` summary. */
export function shopLine(deployment: ShopDeployment, summary: LoadSummary): ShopLine {
  return {
    workload: 'shop',
    deployment: deployment.name,
    store: deployment.store,
    transport: deployment.transport,
    case: summary.mode,
    clients: summary.clients,
    rate: summary.rate,
    seconds: summary.durationS,
    warmup_seconds: summary.warmupS,
    orders_started: summary.started,
    placed_per_sec: summary.acceptedPerSec,
    confirmed_per_sec: summary.succeededPerSec,
    settled_p50_ms: summary.settledMs.p50,
    settled_p99_ms: summary.settledMs.p99,
    settled_max_ms: summary.settledMs.max,
    visible_p50_ms: summary.visibleMs.p50,
    visible_p99_ms: summary.visibleMs.p99,
    outcomes: summary.outcomes,
    not_settled: summary.outcomes['not settled'] ?? 0,
    history_query_failures: Number(summary.details.historyQueryFailures ?? 0),
  };
}

/** One line for people: the case, then the figure it is about first. */
export function describeShopLine(line: ShopLine): string {
  const where =
    line.deployment === 'services'
      ? 'every service its own process, PostgreSQL + NATS'
      : 'one process (npm start), PGlite + in-process transport';
  const load =
    line.case === 'closed' ? `closed loop, ${line.clients} clients` : `open loop, ${line.rate}/s`;
  const other = Object.entries(line.outcomes)
    .filter(([outcome]) => outcome !== 'confirmed')
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(', ');
  return `shop ${where}, ${load}, ${line.seconds} s: ${line.confirmed_per_sec} orders/s confirmed (placed ${line.placed_per_sec}/s); placed -> history shows it settled p50 ${line.settled_p50_ms.toFixed(1)} ms, p99 ${line.settled_p99_ms.toFixed(1)} ms${other ? `; ${other}` : ''}\n`;
}
