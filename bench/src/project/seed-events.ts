import { type OrderEvent, orderEvent, orderStream } from './order-events.ts';

/** How a run's events are written: how many, over how many streams, by how many writers. */
export interface SeedPlan {
  readonly events: number;
  readonly streams: number;
  /** Concurrent writers; each owns the streams `index % writers === writer`. */
  readonly writers: number;
  /** Events per append (one transaction each). */
  readonly appendSize: number;
}

/** Appends `events` to `stream`, whose version before the append is `version` (0: new). */
export type SeedAppend = (
  stream: string,
  events: readonly OrderEvent[],
  version: number,
) => Promise<void>;

/**
 * Writes the plan's events: every stream gets `events / streams` events (the first
 * streams one more when it does not divide), in appends of `appendSize`. Each writer goes
 * round robin over its own streams, one append at a time, so the global order
 * interleaves streams as a busy shop's would; with several writers their transactions
 * overlap. Resolves to the number of events written.
 */
export async function seedEvents(plan: SeedPlan, append: SeedAppend): Promise<number> {
  const perStream = Math.floor(plan.events / plan.streams);
  const extra = plan.events % plan.streams;
  const lengthOf = (index: number) => perStream + (index < extra ? 1 : 0);
  let written = 0;
  const writer = async (w: number) => {
    const mine: number[] = [];
    for (let index = w; index < plan.streams; index += plan.writers) {
      if (lengthOf(index) > 0) mine.push(index);
    }
    const versions = new Map<number, number>(mine.map((index) => [index, 0]));
    while (versions.size > 0) {
      for (const index of [...versions.keys()]) {
        const version = versions.get(index) ?? 0;
        const length = lengthOf(index);
        const count = Math.min(plan.appendSize, length - version);
        const batch: OrderEvent[] = [];
        for (let v = version + 1; v <= version + count; v++) batch.push(orderEvent(index, v));
        await append(orderStream(index), batch, version);
        written += count;
        if (version + count >= length) versions.delete(index);
        else versions.set(index, version + count);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.writers }, (_, w) => writer(w)));
  return written;
}
