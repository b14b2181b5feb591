import { Pool } from 'undici';
import { createLatencyRecorder, type LatencySummary } from '../measure/latency-recorder.ts';

/** One request the load sends: a POST of `body` (JSON) with an API key. */
export interface HttpRequestPlan {
  readonly path: string;
  readonly body: string;
  readonly apiKey: string;
}

export interface HttpLoopsOptions {
  readonly url: string;
  /** Keep-alive connections, one closed loop each. */
  readonly connections: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** The next request to send, or undefined when there is nothing left (carts used up). */
  readonly next: () => HttpRequestPlan | undefined;
  /** Called as the measured window opens and as it closes (CPU samples). */
  readonly onWindow?: (edge: 'open' | 'close') => void;
}

export interface HttpLoopsResult {
  /** Requests answered 2xx inside the window. */
  readonly ok: number;
  /** Requests answered otherwise inside the window, by status (`fetch-error` when none). */
  readonly failed: Readonly<Record<string, number>>;
  /** Every request answered 2xx, warm-up included: what the load made (carts). */
  readonly okTotal: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  /** The measured window: shorter than asked when `next` ran out. */
  readonly windowMs: number;
  /** True when `next` ran out before the window ended. */
  readonly ranOut: boolean;
}

/**
 * `connections` closed loops over one undici pool (one keep-alive connection each,
 * no pipelining): each sends a request, reads the whole answer, sends the next. A
 * request counts, with its latency, when its answer completes inside the window; a
 * request answered with a status other than 2xx counts as failed. When `next` has no
 * more requests the loops stop and the window ends there.
 *
 * @example
 * const r = await runHttpLoops({ url, connections: 64, warmupMs: 1000, measureMs: 5000, next });
 */
export async function runHttpLoops(options: HttpLoopsOptions): Promise<HttpLoopsResult> {
  const { connections, warmupMs, measureMs } = options;
  const pool = new Pool(options.url, { connections, pipelining: 1 });
  const latencies = createLatencyRecorder();
  const failed: Record<string, number> = {};
  const startedAt = performance.now();
  const windowStart = startedAt + warmupMs;
  let windowEnd = windowStart + measureMs;
  let ok = 0;
  let okTotal = 0;
  let ranOut = false;
  // The CPU samples are taken at the window's edges, not when the last answers arrive.
  let edge: 'before' | 'open' | 'closed' = 'before';
  const open = () => {
    if (edge !== 'before') return;
    edge = 'open';
    options.onWindow?.('open');
  };
  const close = () => {
    open();
    if (edge === 'closed') return;
    edge = 'closed';
    options.onWindow?.('close');
  };
  const opened = setTimeout(open, warmupMs);
  const closed = setTimeout(close, warmupMs + measureMs);

  const send = async (plan: HttpRequestPlan): Promise<string> => {
    try {
      const response = await pool.request({
        method: 'POST',
        path: plan.path,
        headers: { 'content-type': 'application/json', 'x-api-key': plan.apiKey },
        body: plan.body,
      });
      await response.body.text();
      return String(response.statusCode);
    } catch {
      return 'fetch-error';
    }
  };
  const loop = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      const plan = options.next();
      if (plan === undefined) {
        if (!ranOut) {
          ranOut = true;
          windowEnd = Math.max(windowStart, performance.now());
          close();
        }
        return;
      }
      const before = performance.now();
      const status = await send(plan);
      const after = performance.now();
      const good = status.startsWith('2');
      if (good) okTotal += 1;
      if (after < windowStart || after > windowEnd) continue;
      if (good) {
        ok += 1;
        latencies.record(after - before);
      } else {
        failed[status] = (failed[status] ?? 0) + 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, loop));
  } finally {
    clearTimeout(opened);
    clearTimeout(closed);
    close();
    await pool.close();
  }
  const windowMs = Math.max(0, windowEnd - windowStart);
  return {
    ok,
    failed,
    okTotal,
    requestsPerSecond: windowMs > 0 ? ok / (windowMs / 1000) : 0,
    latency: latencies.summary(),
    windowMs,
    ranOut,
  };
}
