import {
  DuetError,
  type EventRegistry,
  type ProcessorDefinition,
  type RecordedEvent,
  subjectsIn,
} from '@duet/core';
import type { SqlExecutor, SqlTransaction } from '../../executor/sql-executor.ts';
import { projectionTables } from '../../read-models/projection-tables.ts';
import type { DeadLetter, DeadLetters } from '../processor-types.ts';
import { createEventDecoder } from '../runner/decode-event.ts';
import { handleWithInbox } from '../runner/handle-with-inbox.ts';
import { notifyCheckpointMoved } from '../tables/checkpoints-table.ts';
import {
  type DeadLetterRow,
  deleteDeadLetters,
  listDeadLetters,
  lockDeadLetters,
} from '../tables/dead-letters-table.ts';
import { lockProcessorNames } from '../tables/registry-table.ts';

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  name: row.name,
  version: row.version,
  partition: row.partition,
  event: row.event,
  error: row.error,
  parked: row.parked,
  createdAt: row.created_at,
});

/**
 * Lists, retries and skips the events that failed under the 'skip' and 'park' policies. A retry
 * hands the events to the processor's sink in the order they were dead-lettered (a
 * projection's `apply`, a reactor's `handle` behind its inbox, a relay's `publish`, acked
 * before the removal commits), in one transaction with their removal, holding the projection's row so no batch runs meanwhile (a parked stream's
 * next event then finds the stream unparked, never half-retried). Each event is decoded
 * again first (upcast and checked, as on read), so a fixed upcaster or schema takes effect
 * and an event that still cannot be decoded fails the retry instead of reaching the sink.
 *
 * @example
 * const letters = await processors.deadLetters.list('order_history');
 * await processors.deadLetters.retry('order_history'); // after fixing apply
 */
export function createDeadLetters(
  readModels: SqlExecutor,
  schema: string,
  readModelSchema: string,
  processors: readonly ProcessorDefinition[],
  storeRegistry?: EventRegistry,
  // Dead letters keep personal fields sealed (see insertDeadLetters): a retry opens them.
  openPersonalData: (events: readonly RecordedEvent[]) => Promise<RecordedEvent[]> = async (
    events,
  ) => [...events],
): DeadLetters {
  return {
    async list(name) {
      return (await listDeadLetters(readModels, schema, name)).map(toDeadLetter);
    },
    async retry(idOrName, { signal = new AbortController().signal } = {}) {
      // Sealed personal fields are opened before the transaction: the keys may be on the
      // same one-connection PGlite, where a query beside an open transaction waits for it.
      const byId = /^\d+$/.test(idOrName);
      const candidates = (
        await listDeadLetters(readModels, schema, byId ? undefined : idOrName)
      ).filter((row) => !byId || row.id === idOrName);
      const openedEvents = await openPersonalData(candidates.map((row) => row.event));
      const openedById = new Map(candidates.map((row, i) => [row.id, openedEvents[i]!]));
      return removeDeadLetters(readModels, schema, idOrName, async (tx, rows) => {
        const groups = new Map<string, DeadLetterRow[]>();
        for (const row of rows) {
          const key = `${row.name}@${row.version}`;
          groups.set(key, [...(groups.get(key) ?? []), row]);
        }
        for (const group of groups.values()) {
          const first = group[0]!;
          const processor = processors.find(
            (p) => p.name === first.name && p.version === first.version,
          );
          if (!processor) {
            throw new DuetError(
              'UNKNOWN_PROJECTION',
              `dead letters of ${first.name} version ${first.version}: this runner does not have that processor version`,
            );
          }
          const decode = createEventDecoder(processor, storeRegistry);
          const events = [];
          for (const row of group) {
            // A row written since the list above: opening it here could wait on PGlite for
            // this very transaction, so a sealed one makes the caller retry instead.
            const event = openedById.get(row.id) ?? row.event;
            if (!openedById.has(row.id) && subjectsIn([event.data]).length > 0) {
              throw new Error(`dead letter ${row.id} was written during the retry: retry again`);
            }
            events.push(await decode(event));
          }
          if (processor.kind === 'projection') {
            const tables = projectionTables(readModelSchema, processor.name, processor.version);
            await processor.apply(tx, events, tables);
          } else if (processor.kind === 'reactor') {
            await handleWithInbox(tx, schema, processor, events, signal);
          } else {
            await processor.publish(events, { signal });
          }
        }
      });
    },
    skip(idOrName) {
      return removeDeadLetters(readModels, schema, idOrName, async () => {});
    },
  };
}

/**
 * In one transaction: locks the dead letters (one by id, or all of a name) and their
 * processors' rows (so no batch runs meanwhile: a parked stream's next event then finds it
 * unparked, never half-handled), runs `handle` on them, removes them and wakes the
 * runners. Resolves to how many there were.
 */
function removeDeadLetters(
  readModels: SqlExecutor,
  schema: string,
  idOrName: string,
  handle: (tx: SqlTransaction, rows: readonly DeadLetterRow[]) => Promise<void>,
): Promise<number> {
  return readModels.transaction(async (tx) => {
    const rows = await lockDeadLetters(tx, schema, idOrName);
    const names = [...new Set(rows.map((row) => row.name))].sort();
    await lockProcessorNames(tx, schema, names);
    await handle(tx, rows);
    await deleteDeadLetters(
      tx,
      schema,
      rows.map((row) => row.id),
    );
    for (const name of names) await notifyCheckpointMoved(tx, schema, name);
    return rows.length;
  });
}
