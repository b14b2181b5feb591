import type { EventMetadata, EventRegistry, Position, RecordedEvent, StreamName } from '@duet/core';
import { makePosition } from '@duet/core/adapters';

/**
 * The columns every event read selects. Numbers that may exceed 2^53 (tx_id, seq) come as
 * text, because pg and PGlite parse int8 and xid8 differently; they become bigints here.
 */
export const EVENT_COLUMNS = `e.seq::text AS seq, e.tx_id::text AS tx_id, e.id::text AS id,
  e.stream, e.stream_version::integer AS stream_version, e.type, e.schema_version,
  e.data, e.metadata, e.tenant`;

export interface EventRow {
  readonly seq: string;
  readonly tx_id: string;
  readonly id: string;
  readonly stream: string;
  readonly stream_version: number;
  readonly type: string;
  readonly schema_version: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** `''`: the event belongs to no tenant. */
  readonly tenant: string;
}

/** A row's place in the global order. */
export function rowPosition(row: Pick<EventRow, 'tx_id' | 'seq'>): Position {
  return makePosition(BigInt(row.tx_id), BigInt(row.seq));
}

/** A stored row as the event callers see: old schema versions upcast through the registry. */
export function toRecordedEvent(row: EventRow, registry: EventRegistry | undefined): RecordedEvent {
  const { data, schemaVersion } = registry
    ? registry.upcast(row.type, row.data, row.schema_version)
    : { data: row.data, schemaVersion: row.schema_version };
  return {
    id: row.id,
    // Only names that passed the append's check are stored.
    stream: row.stream as StreamName,
    streamVersion: row.stream_version,
    position: rowPosition(row),
    type: row.type,
    schemaVersion,
    data,
    // The row's tenant is the truth: metadata is what the writer said.
    metadata: row.tenant === '' ? row.metadata : { ...row.metadata, tenant: row.tenant },
  };
}
