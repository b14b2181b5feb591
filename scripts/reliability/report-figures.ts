import { appendFileSync } from 'node:fs';

/** A figure a reliability scenario measured: a count, a time, or a short note. */
export type Figure = number | string | boolean;

/**
 * Hands the figures a stress test measured to `npm run reliability`, which names a file in
 * `DUET_RELIABILITY_OUT`; under a plain `npm test` (no file) it does nothing. One JSON line
 * per call. When several tests (or rounds) of one scenario report a figure, the runner adds
 * up numbers, except those named `max…` (it keeps the largest) and `min…` (the smallest),
 * joins different texts, and keeps a boolean true only if every report said true. Sizes
 * that must not add up (writers, streams) go in a text. Report before asserting, so a
 * failing run still shows what it measured.
 *
 * @example
 * reportFigures('S1', { events: committed.size, missing: 0, duplicated: 0 });
 */
export function reportFigures(scenario: string, figures: Readonly<Record<string, Figure>>): void {
  const file = process.env.DUET_RELIABILITY_OUT;
  if (!file) return;
  // One write with O_APPEND per line: lines from parallel test workers do not interleave.
  appendFileSync(file, `${JSON.stringify({ scenario, ...figures })}\n`);
}
