import {
  type CommittedEventPages,
  type CommittedPage,
  createEventRegistry,
  type EventRegistry,
  type Position,
  type ProcessorDefinition,
} from '@duet/core';
import { readCommittedPage } from '../../event-store/read-committed-page.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';

/** One keyset page of the global order, reduced to what a processor partition reads. */
export type EventPage = CommittedPage;

/** A processor partition's reader: its types, partition and upcasting, fixed. */
export interface PageReader {
  read(after: Position, limit: number): Promise<EventPage>;
}

/** Upcasts with the processor's own definitions first, then the store's registry. */
function upcasterFor(
  processor: ProcessorDefinition,
  storeRegistry: EventRegistry | undefined,
): EventRegistry {
  const own = createEventRegistry(processor.eventDefinitions, { strict: false });
  return {
    get: (type) => own.get(type) ?? storeRegistry?.get(type),
    check: (type, data) => own.check(type, data),
    upcast: (type, data, version) =>
      own.get(type) || !storeRegistry
        ? own.upcast(type, data, version)
        : storeRegistry.upcast(type, data, version),
  };
}

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
  const options = {
    types: processor.eventTypes,
    registry: upcasterFor(processor, storeRegistry),
    ...(processor.partitions > 1
      ? { partition: { count: processor.partitions, index: partition } }
      : {}),
  };
  return { read: (after, limit) => pages.readCommittedPage(after, { ...options, limit }) };
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
