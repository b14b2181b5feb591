/** One append workload: `writers` concurrent closed-loop writers, `batch` events per append. */
export interface AppendShape {
  readonly writers: number;
  readonly batch: number;
}

/** The shapes, in the order they run. */
export const APPEND_SHAPES: readonly AppendShape[] = [
  { writers: 1, batch: 1 },
  { writers: 8, batch: 1 },
  { writers: 64, batch: 1 },
  { writers: 8, batch: 10 },
  { writers: 1, batch: 100 },
];

/** Streams each writer spreads its appends over (its own; no two writers share one). */
export const STREAMS_PER_WRITER = 100;

/** `64x1` for 64 writers, 1 event per append. */
export function shapeLabel(shape: AppendShape): string {
  return `${shape.writers}x${shape.batch}`;
}

/**
 * Parses `--shapes 64x1,8x10`; undefined means all of `APPEND_SHAPES`.
 *
 * @example
 * parseShapes('8x1,1x100') // [{ writers: 8, batch: 1 }, { writers: 1, batch: 100 }]
 */
export function parseShapes(text: string | undefined): readonly AppendShape[] {
  if (text === undefined) return APPEND_SHAPES;
  return text.split(',').map((part) => {
    const match = /^(\d+)x(\d+)$/.exec(part.trim());
    const writers = Number(match?.[1]);
    const batch = Number(match?.[2]);
    if (!match || writers < 1 || writers > 64 || batch < 1 || batch > 1000) {
      throw new Error(
        `--shapes: '${part}' is not <writers>x<batch> with 1-64 writers and 1-1000 events`,
      );
    }
    return { writers, batch };
  });
}
