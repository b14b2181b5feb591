import type { RecordedEvent } from '@duet/core';
import type { Style } from './style.ts';
import { truncate } from './truncate.ts';

/**
 * One event on one line for `events tail`:
 * `2026-11-26T10:00:00.000Z  order-42@3  ItemAdded  {"sku":"a","quantity":1}`.
 */
export function eventLine(event: RecordedEvent, style: Style, columns: number | undefined): string {
  const head = `${style.dim(event.metadata.timestamp)}  ${event.stream}@${event.streamVersion}  ${style.cyan(event.type)}`;
  const data = JSON.stringify(event.data) ?? '';
  // On a terminal keep each event on one screen line; in a pipe keep all of it.
  const room = columns === undefined ? Number.POSITIVE_INFINITY : Math.max(20, columns - 80);
  return `${head}  ${truncate(data, room)}\n`;
}
