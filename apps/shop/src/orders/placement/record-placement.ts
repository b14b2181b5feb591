import type { Decider, EventMetadataInput, RecordedEvent } from '@duet/core';
import type { EventStoreTransaction, PostgresEventStore } from '@duet/postgres';
import { decideInTransaction } from '../../service-kit/decide-in-transaction.ts';
import { PLACEMENT_SAGA_CONTEXT } from './order-command-of.ts';
import type { PlacementCommand } from './placement-commands.ts';
import { placementStream } from './placement-decider.ts';
import { placementTimerKind } from './placement-events.ts';
import type { PlacementEvent, PlacementState } from './placement-state.ts';
import { cancelTimers, scheduleTimer } from './timer-table.ts';

/** Where and how `recordPlacement` decides. */
export interface PlacementRecorder {
  /** The orders store: the saga's stream lives there, beside the orders. */
  readonly store: Pick<PostgresEventStore, 'schema' | 'events'>;
  readonly decider: Decider<PlacementCommand, PlacementState, PlacementEvent>;
}

const sagaTimerKinds = placementTimerKind.options;

/**
 * Decides one saga command on `placement-<orderId>` inside a store transaction and
 * appends what it decides there; in the same transaction it keeps the timer table in
 * step: a `PlacementTimerScheduled` sets (or moves) its timer, and a settled saga drops
 * its timers. Every caller (the order-events reactor, the answer consumers, the timer
 * poller) goes through here, so the timer row always commits with its event.
 *
 * @example
 * await store.transaction((tx) => recordPlacement(recorder, tx, command, { causationId: message.id }));
 */
export async function recordPlacement(
  recorder: PlacementRecorder,
  tx: EventStoreTransaction,
  command: PlacementCommand,
  metadata: EventMetadataInput,
): Promise<readonly RecordedEvent<PlacementEvent>[]> {
  const { store, decider } = recorder;
  const stream = placementStream(command.data.orderId);
  const { events } = await decideInTransaction({
    tx,
    store,
    stream,
    evolver: decider,
    decide: (state) => [decider.decide(command, state, PLACEMENT_SAGA_CONTEXT)].flat(),
    metadata,
  });
  for (const event of events) {
    if (event.type === 'PlacementTimerScheduled') {
      const { kind, dueAt } = event.data;
      await scheduleTimer(tx, store.schema, { stream, kind, dueAt });
    }
    if (event.type === 'PlacementConfirmed' || event.type === 'PlacementCancelled') {
      await cancelTimers(tx, store.schema, stream, sagaTimerKinds);
    }
  }
  return events;
}
