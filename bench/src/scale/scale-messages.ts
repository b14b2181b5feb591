/**
 * How readers are woken: `in-transaction` is the store as it is (`append_events` NOTIFYs
 * inside every append transaction, so the commit holds PostgreSQL's notify lock through its
 * WAL flush); `none` takes the NOTIFY out (the bound: nobody is woken); `after-commit` is
 * the proposal: no NOTIFY in the append, and each process sends one NOTIFY of its own after
 * appends commit, in a transaction of its own with `synchronous_commit` off (so it holds the
 * lock without waiting for a WAL flush), at most one in flight, the next one covering every
 * append that committed meanwhile.
 */
export type WakeMode = 'in-transaction' | 'none' | 'after-commit';

/** What the scale bench tells each app process (argv[2], JSON). */
export interface ScaleChildConfig {
  readonly databaseUrl: string;
  readonly schema: string;
  /** This process's number: its streams are its own. */
  readonly process: number;
  /** Closed-loop writers in this process, one event per append. */
  readonly writers: number;
  readonly wake: WakeMode;
  /** The store's NOTIFY channel (for `after-commit`). */
  readonly channel: string | null;
}

/** Parent → child: start at `startAt` (epoch ms), count appends in the window after warm-up. */
export interface ScaleGo {
  readonly kind: 'go';
  readonly startAt: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** Parent → child, after the window's CPU samples: send the result, then exit. */
export interface ScaleReport {
  readonly kind: 'report';
}

/** Child → parent. */
export type ScaleChildMessage =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'result';
      readonly events: number;
      /** Every append that succeeded, warm-up and after the window included. */
      readonly appended: number;
      readonly p50_ms: number;
      readonly p99_ms: number;
      readonly peak_rss_mb: number;
      readonly errors: number;
      /** NOTIFYs sent after commit (after-commit only). */
      readonly wakes: number;
      readonly error?: string;
    };
