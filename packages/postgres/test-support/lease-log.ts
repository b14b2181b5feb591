// The lease log of the failover test: the "partition acquired" and "partition released"
// lines that runner children print (projection-runner-child.ts), read as who owned each
// partition when. All children run on one machine, so their `time`s share one clock.
import type { ChildLine } from './projection-child.ts';

export interface LeaseEvent {
  readonly runner: string;
  readonly partition: number;
  readonly kind: 'acquired' | 'released';
  readonly at: number;
}

/** One runner's hold on one partition, from its acquire to its release (Infinity: still held). */
export interface Tenure {
  readonly runner: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/** The lease lines of `runner`'s log, oldest first. */
export function leaseEvents(runner: string, lines: readonly ChildLine[]): LeaseEvent[] {
  return lines.flatMap((line): LeaseEvent[] => {
    const kind =
      line.msg === 'partition acquired'
        ? 'acquired'
        : line.msg === 'partition released'
          ? 'released'
          : null;
    if (kind === null) return [];
    return [{ runner, partition: Number(line.partition), kind, at: Number(line.time) }];
  });
}

/**
 * Pairs each acquire with the release after it. A killed process logs no release: its
 * tenures end at `killedAt` (its locks end with its session, after that).
 */
export function tenures(events: readonly LeaseEvent[], killedAt?: number): Tenure[] {
  const open = new Map<number, number>();
  const closed: Tenure[] = [];
  for (const event of events) {
    const from = open.get(event.partition);
    if (event.kind === 'acquired') {
      if (from !== undefined) throw new Error(`${event.runner} acquired ${event.partition} twice`);
      open.set(event.partition, event.at);
    } else {
      if (from === undefined) throw new Error(`${event.runner} released ${event.partition} unheld`);
      open.delete(event.partition);
      closed.push({ runner: event.runner, partition: event.partition, from, to: event.at });
    }
  }
  const end = killedAt ?? Number.POSITIVE_INFINITY;
  for (const [partition, from] of open) {
    const runner = events[0]?.runner ?? '';
    closed.push({ runner, partition, from, to: end });
  }
  return closed;
}

/** The partitions two runners held at one instant, and for how long in all. */
export function overlaps(all: readonly Tenure[]): {
  partitionsHeldTwice: number;
  overlapsMs: number;
} {
  const twice = new Set<number>();
  let overlapsMs = 0;
  for (const partition of new Set(all.map((tenure) => tenure.partition))) {
    const sorted = all.filter((t) => t.partition === partition).sort((a, b) => a.from - b.from);
    let until = Number.NEGATIVE_INFINITY;
    for (const tenure of sorted) {
      if (tenure.from < until) {
        twice.add(partition);
        overlapsMs += Math.min(until, tenure.to) - tenure.from;
      }
      until = Math.max(until, tenure.to);
    }
  }
  return { partitionsHeldTwice: twice.size, overlapsMs };
}
