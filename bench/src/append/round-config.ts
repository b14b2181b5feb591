import type { AppendShape } from './append-shape.ts';

export type AppendSystemName =
  | 'duet'
  | 'emmett'
  | 'raw-postgres'
  | 'raw-duet-row'
  | 'raw-duet-row-no-category';
export type StoreName = 'postgres' | 'pglite';

/** What one child process measures: one system, one round, every shape in order. */
export interface RoundConfig {
  readonly system: AppendSystemName;
  readonly store: StoreName;
  readonly round: number;
  /** The database for this round (absent for PGlite, which runs in memory). */
  readonly databaseUrl?: string;
  /** Duet's schema for this round. */
  readonly schema?: string;
  readonly shapes: readonly AppendShape[];
  readonly warmupMs: number;
  readonly measureMs: number;
}

/** What one shape's measurement found. */
export interface ShapeFigures {
  readonly events_per_sec: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Appends that completed inside the measured window. */
  readonly appends: number;
  readonly seconds: number;
  readonly error?: string;
}

/** One JSON line of output: a system's figures for one shape, plus system-specific facts. */
export interface ShapeResult extends ShapeFigures {
  readonly workload: 'append';
  readonly system: AppendSystemName;
  readonly store: StoreName;
  readonly writers: number;
  readonly batch: number;
  readonly round: number;
  readonly [extra: string]: unknown;
}

/** Messages a round's child sends its parent over IPC. */
export type RoundMessage = { readonly kind: 'result'; readonly result: ShapeResult };
