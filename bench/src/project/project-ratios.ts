import type { ProjectResult } from './project-config.ts';

/** The comparison lines: Duet against Emmett at the same size, and against the raw limit. */
export interface ProjectRatio {
  readonly workload: 'project';
  readonly events: number;
  readonly seeded_by_writers: number;
  /** Duet / Emmett events per second (null without both). */
  readonly ratio?: number | null;
  /** Duet / the raw batched upsert loop of the same events. */
  readonly ratio_to_raw: number | null;
  /** Duet / one INSERT ... SELECT ... GROUP BY: the ceiling. */
  readonly ratio_to_insert_select: number | null;
  readonly duet_events_per_sec: number | null;
  readonly emmett_events_per_sec?: number | null;
  readonly raw_events_per_sec: number | null;
  readonly insert_select_events_per_sec: number | null;
}

/** One line per log Duet rebuilt that has a peer or raw figure beside it. */
export function projectRatios(results: readonly ProjectResult[]): ProjectRatio[] {
  const ok = results.filter((r) => r.error === undefined);
  const lines: ProjectRatio[] = [];
  for (const duet of ok.filter((r) => r.system === 'duet')) {
    const same = (r: ProjectResult) =>
      r.events === duet.events && r.seeded_by_writers === duet.seeded_by_writers;
    const rate = (pick: (r: ProjectResult) => boolean) =>
      ok.find((r) => same(r) && pick(r))?.events_per_sec ?? null;
    const emmett = rate((r) => r.system === 'emmett');
    const raw = rate((r) => r.system === 'raw-postgres' && r.method === 'batched_upsert');
    const select = rate((r) => r.system === 'raw-postgres' && r.method === 'insert_select');
    if (emmett === null && raw === null && select === null) continue;
    lines.push({
      workload: 'project',
      events: duet.events,
      seeded_by_writers: duet.seeded_by_writers,
      ...(emmett === null ? {} : { ratio: divide(duet.events_per_sec, emmett) }),
      ratio_to_raw: divide(duet.events_per_sec, raw),
      ratio_to_insert_select: divide(duet.events_per_sec, select),
      duet_events_per_sec: duet.events_per_sec,
      ...(emmett === null ? {} : { emmett_events_per_sec: emmett }),
      raw_events_per_sec: raw,
      insert_select_events_per_sec: select,
    });
  }
  return lines;
}

function divide(a: number, b: number | null): number | null {
  if (b === null || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
