/**
 * How readers are woken: `after-commit` is the store as it is (since migration 009 it sends
 * one NOTIFY at a time after appends commit, in a transaction of its own with
 * `synchronous_commit` off); `in-transaction` is the store as it was before: the bench
 * puts a NOTIFY inside `append_events_quiet`, so every append's commit holds PostgreSQL's
 * server-wide notify lock through its WAL flush.
 */
export type WakeMode = 'in-transaction' | 'after-commit';

/** What the scale bench tells each app process (argv[2], JSON). */
export interface ScaleChildConfig {
  readonly databaseUrl: string;
  readonly schema: string;
  /** This process's number: its streams are its own. */
  readonly process: number;
  /** Closed-loop writers in this process, one event per append. */
  readonly writers: number;
  readonly wake: WakeMode;
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
      readonly error?: string;
    };
