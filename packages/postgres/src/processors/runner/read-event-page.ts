import type {
  CommittedEventPages,
  CommittedPage,
  EventRegistry,
  Position,
  ProcessorDefinition,
  RecordedEvent,
} from '@duet/core';
import { readCommittedPage } from '../../event-store/read-committed-page.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { createEventDecoder, UndecodableEventError } from './decode-event.ts';

/**
 * One keyset page of the global order, reduced to what a processor partition reads. An
 * event that cannot be decoded stays in `events` as stored and has its error in
 * `undecodable` (by event id): the batch path hands it to the failure policy, so one bad
 * event never fails the read of its neighbours.
 */
export interface EventPage extends CommittedPage {
  readonly undecodable: ReadonlyMap<string, UndecodableEventError>;
}

/** A processor partition's reader: its types, partition and decoding, fixed. */
export interface PageReader {
  read(after: Position, limit: number): Promise<EventPage>;
}

// Rows come back as stored; the decoder upcasts and checks them one by one.
const asStored: EventRegistry = {
  get: () => undefined,
  check: async (_type, data) => ({ data, schemaVersion: 1 }),
  upcast: (_type, data, schemaVersion) => ({ data, schemaVersion }),
};

/**
 * Reads one processor partition's pages through the store's `CommittedEventPages` port.
 *
 * @example
 * const reader = processorPageReader(store, processor, 0, store.events);
 * const page = await reader.read(checkpoint, 500);
 */
export function processorPageReader(
  pages: Pick<CommittedEventPages, 'readCommittedPage'>,
  processor: ProcessorDefinition,
  partition: number,
  storeRegistry: EventRegistry | undefined,
): PageReader {
  const decode = createEventDecoder(processor, storeRegistry);
  const options = {
    types: processor.eventTypes,
    registry: asStored,
    ...(processor.partitions > 1
      ? { partition: { count: processor.partitions, index: partition } }
      : {}),
  };
  return {
    async read(after, limit) {
      const page = await pages.readCommittedPage(after, { ...options, limit });
      const events: RecordedEvent[] = [];
      const undecodable = new Map<string, UndecodableEventError>();
      for (const stored of page.events) {
        try {
          events.push(await decode(stored));
        } catch (error) {
          if (!(error instanceof UndecodableEventError)) throw error;
          undecodable.set(stored.id, error);
          events.push(stored);
        }
      }
      return { ...page, events, undecodable };
    },
  };
}

/**
 * The same, for a caller that holds only the store's executor and schema.
 *
 * @example
 * const reader = createPageReader(executor, 'duet', processor, 0, undefined);
 */
export function createPageReader(
  executor: SqlExecutor,
  schema: string,
  processor: ProcessorDefinition,
  partition: number,
  storeRegistry: EventRegistry | undefined,
): PageReader {
  const pages = {
    readCommittedPage: (after: Position, options: Parameters<typeof readCommittedPage>[3]) =>
      readCommittedPage({ executor, schema }, undefined, after, options),
  };
  return processorPageReader(pages, processor, partition, storeRegistry);
}
