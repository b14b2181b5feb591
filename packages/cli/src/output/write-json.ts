import type { OutputStream } from '../cli-io.ts';

/** One JSON document for scripts, pretty-printed, on its own (stdout carries nothing else). */
export function writeJson(stream: OutputStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON value on one line (NDJSON), for streams of records such as `events tail`. */
export function writeJsonLine(stream: OutputStream, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}
