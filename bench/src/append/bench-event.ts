/** The payload every system appends: small, JSON, the same bytes for each. */
export type BenchEventData = {
  readonly writer: number;
  readonly slot: number;
  readonly n: number;
  readonly note: string;
};

export const BENCH_EVENT_TYPE = 'BenchEventAppended';

const NOTE = 'an order line changed its quantity; about a hundred bytes of JSON in all';

/** The `batch` events of one append; `version` is the stream's version before it. */
export function benchEvents(
  writer: number,
  slot: number,
  version: number,
  batch: number,
): { type: typeof BENCH_EVENT_TYPE; data: BenchEventData }[] {
  return Array.from({ length: batch }, (_, index) => ({
    type: BENCH_EVENT_TYPE,
    data: { writer, slot, n: version + index + 1, note: NOTE },
  }));
}
