import type { RecordedEvent } from '@duet/core';
import type { Style } from './style.ts';
import { truncate } from './truncate.ts';

/** The table columns events are shown in by `streams show`. */
export const EVENT_HEAD = ['version', 'type', 'recorded', 'position', 'data'] as const;

/** One event as a table row; the data as compact JSON, cut to `dataWidth`. */
export function eventRow(event: RecordedEvent, style: Style, dataWidth: number): string[] {
  return [
    String(event.streamVersion),
    style.cyan(event.type),
    event.metadata.timestamp,
    event.position,
    truncate(JSON.stringify(event.data) ?? '', dataWidth),
  ];
}

/** The data column's width: what is left of the terminal, or 60 when not on one. */
export function dataWidth(columns: number | undefined): number {
  // version, type, recorded and position with borders take about 95 columns.
  return columns === undefined ? 60 : Math.max(20, columns - 95);
}
