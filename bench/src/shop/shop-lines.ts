import type { LoadSummary } from '@duet/cli';
import { processPeakRssMb } from '../measure/peak-rss.ts';
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
  /**
   * Per order started in the measured window, over that window: the whole machine's CPU
   * (every process: the shop, PostgreSQL, NATS, the load), and the bench database's
   * commits and rows written (PostgreSQL only). Null where unknown.
   */
  readonly machine_cpu_ms_per_order: number | null;
  readonly commits_per_order: number | null;
  readonly rows_written_per_order: number | null;
  /** The highest peak resident set of the shop's server processes so far, in MB. */
  readonly server_peak_rss_mb: number | null;
  /** Each server process's peak resident set so far, in MB, by service (or `shop`). */
  readonly server_peak_rss_mb_by_process: Readonly<Record<string, number | null>>;
}

/** What was counted over the measured window. */
export interface WindowCounts {
  readonly cpuBusyMs: number | null;
  readonly commits: number | null;
  readonly rowsWritten: number | null;
}

/** The line for one `duet load` summary. */
export function shopLine(
  deployment: ShopDeployment,
  summary: LoadSummary,
  counts: WindowCounts,
): ShopLine {
  const per = (value: number | null) =>
    value === null || summary.started === 0
      ? null
      : Math.round((value / summary.started) * 10) / 10;
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
    machine_cpu_ms_per_order: per(counts.cpuBusyMs),
    commits_per_order: per(counts.commits),
    rows_written_per_order: per(counts.rowsWritten),
    ...serverPeakRss(deployment),
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
  const cost = [
    line.machine_cpu_ms_per_order === null ? null : `${line.machine_cpu_ms_per_order} ms CPU`,
    line.commits_per_order === null ? null : `${line.commits_per_order} commits`,
    line.rows_written_per_order === null ? null : `${line.rows_written_per_order} rows written`,
  ].filter((part) => part !== null);
  return `shop ${where}, ${load}, ${line.seconds} s: ${line.confirmed_per_sec} orders/s confirmed (placed ${line.placed_per_sec}/s); placed -> history shows it settled p50 ${line.settled_p50_ms.toFixed(1)} ms, p99 ${line.settled_p99_ms.toFixed(1)} ms${cost.length > 0 ? `; per order ${cost.join(', ')}` : ''}${other ? `; ${other}` : ''}\n`;
}

/** The deployment's server processes' peaks so far (read before the deployment stops). */
function serverPeakRss(deployment: ShopDeployment) {
  const byProcess = Object.fromEntries(
    deployment.processes.map(({ name, pid }) => [name, processPeakRssMb(pid)]),
  );
  const known = Object.values(byProcess).filter((mb): mb is number => mb !== null);
  return {
    server_peak_rss_mb: known.length > 0 ? Math.max(...known) : null,
    server_peak_rss_mb_by_process: byProcess,
  };
}
