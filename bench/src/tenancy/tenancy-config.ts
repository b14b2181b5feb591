import type { AppendShape } from '../append/append-shape.ts';

/** What one child process of the tenancy or command comparison measures. */
export type TenancyJob =
  | {
      /** Append shapes and reads on the plain and the tenant-isolated executor. */
      readonly kind: 'tenancy';
      readonly databaseUrl: string;
      readonly shapes: readonly AppendShape[];
      readonly tenants: readonly number[];
      readonly warmupMs: number;
      readonly measureMs: number;
    }
  | {
      /** The command shape through one system's command handling. */
      readonly kind: 'command';
      readonly system: 'duet' | 'emmett';
      readonly databaseUrl: string;
      readonly tenants: readonly number[];
      readonly warmupMs: number;
      readonly measureMs: number;
    };

/** Which executor a Duet line ran on: `pg` as is, or `isolateTenants` over it. */
export type ExecutorKind = 'plain' | 'isolated';

/** One JSON line: a system's figures for one shape on one executor. */
export interface TenancyResult {
  readonly workload: 'append-tenancy' | 'read-tenancy' | 'command';
  /** `64x1`, `readStream-1000`, `streamInfo`, `command-64`. */
  readonly shape: string;
  /** `duet`, `duet-reads-alone`, `duet-by-hand`, `duet-by-hand-ids`, `emmett`. */
  readonly system: string;
  readonly executor: ExecutorKind;
  /** Tenants the work was spread over (0 on the plain executor). */
  readonly tenants: number;
  readonly round: number;
  readonly events_per_sec: number;
  /** Appends, reads or commands per second. */
  readonly calls_per_sec: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly seconds: number;
  /** The child process's peak RSS so far: every earlier line of the same process included. */
  readonly peak_rss_mb: number;
  readonly error?: string;
  readonly [extra: string]: unknown;
}

/** Messages a child sends its parent over IPC. */
export type TenancyMessage = { readonly kind: 'result'; readonly result: TenancyResult };
