import type { ProjectionStatus } from '@duet/postgres';

/** One reading of a partition's lag. */
export interface LagSample {
  /** Epoch ms. */
  readonly at: number;
  readonly events: number;
}

/**
 * The lag of every partition the console has read, the newest `keep` readings each: the
 * history the processors page charts. Readings closer than `minGapMs` to the previous one
 * (two viewers rendering the same tick) are dropped, so the chart's x-axis is time.
 */
export class LagHistory {
  readonly #samples = new Map<string, LagSample[]>();

  constructor(
    readonly keep = 120,
    readonly minGapMs = 500,
  ) {}

  /** The key of a partition: service, name, version and partition. */
  static keyOf(service: string, status: ProjectionStatus): string {
    return `${service}/${status.name}/${status.version}/${status.partition}`;
  }

  record(service: string, statuses: readonly ProjectionStatus[], at: number): void {
    for (const status of statuses) {
      const key = LagHistory.keyOf(service, status);
      const samples = this.#samples.get(key) ?? [];
      const last = samples.at(-1);
      if (last && at - last.at < this.minGapMs) continue;
      samples.push({ at, events: status.lagEvents });
      if (samples.length > this.keep) samples.splice(0, samples.length - this.keep);
      this.#samples.set(key, samples);
    }
  }

  of(service: string, status: ProjectionStatus): readonly LagSample[] {
    return this.#samples.get(LagHistory.keyOf(service, status)) ?? [];
  }
}
