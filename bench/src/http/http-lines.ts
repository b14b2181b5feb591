import type { HttpLoopsResult } from './http-loops.ts';
import type { ServerWindowCpu } from './server-window-cpu.ts';

/**
 * Which server answered: the ceiling, the shop's orders service, Duet's bus on a route like
 * the peer's, the peer, or the shop as `npm start` runs it.
 */
export type HttpSystem = 'bare' | 'duet' | 'duet-route' | 'emmett' | 'duet-pglite';

/** One result line of `bench http` (`--json` prints it as it is). */
export type HttpLine = {
  readonly workload: 'http';
  readonly system: HttpSystem;
  readonly store: 'postgres' | 'pglite';
  /** What served it, in words. */
  readonly server: string;
  readonly command: 'PlaceOrder' | 'AddItem';
  readonly connections: number;
  readonly requests_per_sec: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly seconds: number;
  readonly ok: number;
  /** Every 2xx answer of the run, warm-up and the answers after the window included. */
  readonly answered: number;
  /** Answers other than 2xx in the window, by status. */
  readonly failed: Readonly<Record<string, number>>;
  /** The carts ran out before the window ended (seed more with --carts). */
  readonly ran_out: boolean;
  /** Peak resident set of the server process (VmHWM), and of the load generator. */
  readonly server_peak_rss_mb: number | null;
  readonly load_peak_rss_mb: number;
  /** CPU of the server's Node process and of its database's backends per 2xx answer. */
  readonly app_us_per_request: number | null;
  readonly db_us_per_request: number | null;
  /**
   * Transactions the database committed per 2xx answer (`pg_stat_database`; every
   * statement outside a transaction is one). Null on PGlite.
   */
  readonly commits_per_request: number | null;
  readonly error?: string;
} & Partial<ServerWindowCpu>;

/** The figures of a line from a load run and the window's CPU. */
export function httpFigures(
  result: HttpLoopsResult,
  cpu: ServerWindowCpu | null,
  serverPeakRssMb: number | null,
  loadPeakRssMb: number,
) {
  const perRequest = (pct: number | undefined) =>
    pct === undefined || result.requestsPerSecond === 0
      ? null
      : Math.round(((pct / 100) * 1e6) / result.requestsPerSecond);
  return {
    requests_per_sec: Math.round(result.requestsPerSecond),
    p50_ms: round3(result.latency.p50),
    p99_ms: round3(result.latency.p99),
    max_ms: round3(result.latency.max),
    seconds: round3(result.windowMs / 1000),
    ok: result.ok,
    answered: result.okTotal,
    failed: result.failed,
    ran_out: result.ranOut,
    server_peak_rss_mb: serverPeakRssMb,
    load_peak_rss_mb: loadPeakRssMb,
    app_us_per_request: perRequest(cpu?.cpu_app_pct),
    db_us_per_request: perRequest(cpu?.cpu_db_pct),
    ...(cpu ?? {}),
  };
}

/** The comparison the issue asks for: the shop's PlaceOrder over the ceiling and the peer. */
export interface HttpRatioLine {
  readonly workload: 'http';
  readonly command: 'PlaceOrder';
  readonly connections: number;
  readonly duet_requests_per_sec: number | null;
  readonly bare_requests_per_sec: number | null;
  readonly emmett_requests_per_sec: number | null;
  /** Duet's bus on a route like Emmett's: the store and bus without the shop's HTTP layers. */
  readonly duet_route_requests_per_sec: number | null;
  readonly route_ratio_to_emmett: number | null;
  readonly ratio_to_bare: number | null;
  readonly ratio_to_emmett: number | null;
}

/** Null where a system did not run or failed. */
export function httpRatioLine(lines: readonly HttpLine[], connections: number): HttpRatioLine {
  const rate = (system: HttpSystem) => {
    const line = lines.find(
      (l) => l.system === system && l.command === 'PlaceOrder' && l.error === undefined,
    );
    return line && line.requests_per_sec > 0 ? line.requests_per_sec : null;
  };
  const duet = rate('duet');
  const bare = rate('bare');
  const emmett = rate('emmett');
  const route = rate('duet-route');
  const ratio = (of: number | null, over: number | null) =>
    of === null || over === null ? null : Math.round((of / over) * 100) / 100;
  return {
    workload: 'http',
    command: 'PlaceOrder',
    connections,
    duet_requests_per_sec: duet,
    bare_requests_per_sec: bare,
    emmett_requests_per_sec: emmett,
    duet_route_requests_per_sec: route,
    route_ratio_to_emmett: ratio(route, emmett),
    ratio_to_bare: ratio(duet, bare),
    ratio_to_emmett: ratio(duet, emmett),
  };
}

/** One line for people. */
export function describeHttpLine(line: HttpLine | HttpRatioLine): string {
  if (!('system' in line)) {
    return `http PlaceOrder at ${line.connections} connections: duet / bare ${line.ratio_to_bare ?? '-'}, duet / emmett ${line.ratio_to_emmett ?? '-'}; duet-route / emmett ${line.route_ratio_to_emmett ?? '-'}\n`;
  }
  if (line.error !== undefined)
    return `http ${line.system} ${line.command}: failed: ${line.error}\n`;
  const failed = Object.entries(line.failed)
    .map(([status, n]) => `${status} x${n}`)
    .join(', ');
  return `http ${line.system} ${line.command} (${line.server}), ${line.connections} connections, ${line.seconds} s: ${line.requests_per_sec} requests/s, p50 ${line.p50_ms} ms, p99 ${line.p99_ms} ms; server peak RSS ${line.server_peak_rss_mb ?? '-'} MB; per request app ${line.app_us_per_request ?? '-'} µs, db ${line.db_us_per_request ?? '-'} µs CPU, ${line.commits_per_request ?? '-'} commits; others ${line.cpu_other_pct ?? '-'} %${failed ? `; failed ${failed}` : ''}${line.ran_out ? '; ran out of carts' : ''}\n`;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
