import type { CpuBreakdown } from '../measure/cpu-breakdown.ts';
import type { SeedPlan } from './seed-events.ts';
import type { SummaryCheck } from './summary-check.ts';

export type ProjectSystem = 'duet' | 'emmett' | 'raw-postgres';

/** One job of the project workload, run in a process of its own. */
export interface ProjectJob {
  readonly system: ProjectSystem;
  readonly databaseUrl: string;
  /** Duet and raw: the store's schema (raw reads the events Duet's job seeded there). */
  readonly schema: string;
  readonly plan: SeedPlan;
  /** False for raw: it reads events another job wrote. */
  readonly seed: boolean;
}

/** One JSON line of the project workload. */
export interface ProjectResult extends Partial<CpuBreakdown>, Partial<SummaryCheck> {
  readonly workload: 'project';
  readonly system: ProjectSystem;
  /** raw-postgres: 'insert_select' (one aggregate statement) or 'batched_upsert' (a loop). */
  readonly method?: string;
  readonly events: number;
  readonly events_per_sec: number;
  readonly seconds: number;
  /** Writers that seeded the log: 1 (one at a time) or more (overlapping transactions). */
  readonly seeded_by_writers: number;
  readonly streams: number;
  readonly seed_seconds?: number;
  /** Duet: batches committed and the largest batch size the runner reached. */
  readonly batches?: number;
  readonly max_batch_size?: number;
  /** The child process's peak resident set, seeding included, in MB. */
  readonly peak_rss_mb?: number;
  /** Duet: the peak resident set during the rebuild alone (VmHWM reset after seeding). */
  readonly rebuild_peak_rss_mb?: number;
  readonly settings?: string;
  readonly error?: string;
}

export type ProjectMessage = { readonly kind: 'result'; readonly result: ProjectResult };
