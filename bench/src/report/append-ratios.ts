import type { AppendShape } from '../append/append-shape.ts';
import type { ShapeResult } from '../append/round-config.ts';

/** One line per shape comparing Duet (mean of its rounds) with Emmett and the raw limit. */
export interface AppendRatio {
  readonly workload: 'append';
  readonly writers: number;
  readonly batch: number;
  /** Duet / Emmett events per second (null when either is missing). */
  readonly ratio: number | null;
  /** Duet / raw PostgreSQL INSERTs of the same shape. */
  readonly ratio_to_raw: number | null;
  /** Duet / raw INSERTs of Duet's row into Duet's events table (`raw-duet-row`). */
  readonly ratio_to_raw_duet_row: number | null;
  /** `raw-duet-row` / `raw-postgres`: what Duet's row and indexes cost by themselves. */
  readonly raw_duet_row_to_raw: number | null;
  /** `raw-duet-row-no-category` / `raw-postgres`: the same without `(category, tx_id, seq)`. */
  readonly raw_duet_row_no_category_to_raw: number | null;
  readonly duet_events_per_sec: number | null;
  readonly emmett_events_per_sec: number | null;
  readonly raw_events_per_sec: number | null;
  readonly raw_duet_row_events_per_sec: number | null;
}

/** Ratios for each shape run on PostgreSQL; failed results count as missing. */
export function appendRatios(
  shapes: readonly AppendShape[],
  results: readonly ShapeResult[],
): AppendRatio[] {
  return shapes.map((shape) => {
    const of = (system: ShapeResult['system']) =>
      meanRate(
        results.filter(
          (r) =>
            r.system === system &&
            r.store === 'postgres' &&
            r.writers === shape.writers &&
            r.batch === shape.batch &&
            r.error === undefined,
        ),
      );
    const duet = of('duet');
    const emmett = of('emmett');
    const raw = of('raw-postgres');
    const rawDuetRow = of('raw-duet-row');
    const rawNoCategory = of('raw-duet-row-no-category');
    return {
      workload: 'append',
      writers: shape.writers,
      batch: shape.batch,
      ratio: divide(duet, emmett),
      ratio_to_raw: divide(duet, raw),
      ratio_to_raw_duet_row: divide(duet, rawDuetRow),
      raw_duet_row_to_raw: divide(rawDuetRow, raw),
      raw_duet_row_no_category_to_raw: divide(rawNoCategory, raw),
      duet_events_per_sec: duet,
      emmett_events_per_sec: emmett,
      raw_events_per_sec: raw,
      raw_duet_row_events_per_sec: rawDuetRow,
    };
  });
}

function meanRate(results: readonly ShapeResult[]): number | null {
  if (results.length === 0) return null;
  return Math.round(results.reduce((sum, r) => sum + r.events_per_sec, 0) / results.length);
}

function divide(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
