import type {
  DuetLogger,
  Position,
  ProcessorDefinition,
  ProjectionTables,
  RecordedEvent,
} from '@duet/core';
import { contextOfTraceFields, inSpan } from '@duet/core';
import { batchTraceOf, duetInstruments } from '@duet/core/adapters';
import type { SqlExecutor, SqlTransaction } from '../../executor/sql-executor.ts';
import { switchTenant } from '../../executor/tenant-isolated-executor.ts';
import { moveCheckpoint, skipCheckpoint } from '../tables/checkpoints-table.ts';
import {
  type DeadLetterInput,
  insertDeadLetters,
  readParkedStreams,
} from '../tables/dead-letters-table.ts';
import { readBatchFence } from '../tables/registry-table.ts';
import { handleWithInbox } from './handle-with-inbox.ts';

/** The checkpoint is not where this worker left it: another runner moved it, or a rebuild reset it. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

/**
 * An operator paused the processor before this batch could commit: nothing of it is kept.
 * The worker waits as paused; the pause's notification may not have reached it yet.
 */
export class PausedError extends Error {
  override readonly name = 'PausedError';
}

/** A newer version of the processor is active: this one must stop. */
export class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

/** One partition of one processor version, as the batch transaction sees it. */
export interface BatchTarget {
  readonly schema: string;
  readonly processor: ProcessorDefinition;
  readonly tables: ProjectionTables;
  readonly partition: number;
  /** Where dead letters and failures are logged (with the batch span's trace ids). */
  readonly log: DuetLogger;
}

export type { DeadLetterInput };

export interface Batch {
  readonly events: readonly RecordedEvent[];
  /** Where the checkpoint is now: the move is fenced on it. */
  readonly expected: Position;
  /** Where it moves (the last position the batch covered). */
  readonly end: Position;
  /** True when the batch reached the head: state becomes 'live'. */
  readonly caughtUp: boolean;
  readonly deadLetters?: readonly DeadLetterInput[];
  /** Events of `events` that cannot be decoded, by id: the batch fails before any sink runs. */
  readonly undecodable?: ReadonlyMap<string, unknown>;
}

/**
 * Hands one batch to the processor's sink and moves the checkpoint in ONE transaction of
 * the read-model database, so its effects happen exactly once: a crash before commit
 * leaves neither, after commit both. The sinks: a projection's `apply`; a reactor's
 * `handle` per event not yet in its inbox (`handleWithInbox`); a relay's `publish`, which
 * runs BEFORE the transaction, so the checkpoint moves only after the broker's acks (a
 * crash in between publishes again, and the broker drops the duplicates by event id), and
 * no transaction stays open across the network (on PGlite it would hold the process's one
 * connection). The checkpoint UPDATE is fenced on the position the batch started from, so
 * two runners on one partition can never both commit it. A share lock on the processor's
 * row makes a blue-green switch wait for batches in flight. A batch with nothing for the
 * sink (only other processors' events) just moves the checkpoint, fenced the same way, in
 * one statement (`skipCheckpoint`). Resolves to the number of events the sink got.
 * `failed` hears of an error inside the batch's span (to log a retry in its trace); the
 * dead letters are logged there after the commit.
 */
export async function applyBatch(
  readModels: SqlExecutor,
  target: BatchTarget,
  batch: Batch,
  signal: AbortSignal,
  failed?: (error: unknown) => void,
): Promise<number> {
  const { schema, processor, partition } = target;
  const key = { name: processor.name, version: processor.version, partition };
  if (batch.events.length === 0 && (batch.deadLetters ?? []).length === 0) {
    const skipped = await skipCheckpoint(readModels, schema, key, batch);
    if (skipped.activeVersion === undefined || skipped.activeVersion > processor.version) {
      throw new SupersededError(`${processor.name} version ${processor.version} is superseded`);
    }
    if (!skipped.moved) throw movedAway(processor, partition, batch.expected);
    return 0;
  }
  // A batch serves many commands: it continues the first event's trace and links the rest.
  // A batch of dead letters alone continues theirs, so the dead letter's log line names
  // the trace of the command that appended the event.
  const { parent, links } = batchTraceOf(
    [...batch.events, ...(batch.deadLetters ?? []).map((letter) => letter.event)].map((event) =>
      contextOfTraceFields(event.metadata),
    ),
  );
  return inSpan(
    `duet.${processor.kind} batch ${processor.name}`,
    {
      ...(parent === undefined ? {} : { parent }),
      links,
      attributes: {
        'duet.processor': processor.name,
        'duet.processor.kind': processor.kind,
        'duet.processor.version': processor.version,
        'duet.partition': partition,
        'duet.events': batch.events.length,
      },
    },
    async () => {
      try {
        const { applied, deadLetters } = await commitBatch(readModels, target, batch, signal, key);
        for (const letter of deadLetters) logDeadLetter(target, letter);
        return applied;
      } catch (error) {
        failed?.(error);
        throw error;
      }
    },
  );
}

/** One line per event set aside: error for the one that failed, warn for those held behind a parked stream. */
function logDeadLetter(target: BatchTarget, letter: DeadLetterInput & { held?: boolean }) {
  const { processor, partition, log } = target;
  const { event } = letter;
  const fields = {
    processor: processor.name,
    kind: processor.kind,
    version: processor.version,
    partition,
    policy: processor.onFailure,
    event_id: event.id,
    event_type: event.type,
    stream: event.stream,
    stream_version: event.streamVersion,
    position: event.position,
    error: letter.error,
  };
  if (letter.held) log.warn(fields, 'event held: its stream is parked');
  else log.error(fields, letter.parked ? 'event failed: stream parked' : 'event dead-lettered');
}

async function commitBatch(
  readModels: SqlExecutor,
  target: BatchTarget,
  batch: Batch,
  signal: AbortSignal,
  key: { readonly name: string; readonly version: number; readonly partition: number },
): Promise<{ applied: number; deadLetters: (DeadLetterInput & { held?: boolean })[] }> {
  const { schema, processor, tables, partition } = target;
  // Before the sink (a relay publishes before the transaction): narrowing finds the event.
  for (const event of batch.events) {
    const error = batch.undecodable?.get(event.id);
    if (error !== undefined) throw error;
  }
  const parkedBefore =
    processor.kind === 'relay' ? await publishUnparked(readModels, target, batch, signal) : null;
  return readModels.transaction(async (tx) => {
    const { activeVersion, paused } = await readBatchFence(tx, schema, processor.name);
    if (activeVersion === undefined || activeVersion > processor.version) {
      throw new SupersededError(`${processor.name} version ${processor.version} is superseded`);
    }
    // A pause is a fence, not only a notification: no batch commits after it committed.
    if (paused) throw new PausedError(`${processor.name} is paused`);
    const deadLetters: (DeadLetterInput & { held?: boolean })[] = [...(batch.deadLetters ?? [])];
    let events = batch.events;
    const parked =
      parkedBefore ??
      (processor.onFailure === 'park' ? await parkedStreams(tx, target, events) : null);
    if (parked && parked.size > 0) {
      for (const event of events) {
        if (parked.has(event.stream)) {
          deadLetters.push({ event, error: 'stream is parked', parked: true, held: true });
        }
      }
      events = events.filter((event) => !parked.has(event.stream));
    }
    if (events.length > 0) {
      // On a tenant-isolated database each tenant's events are applied as that tenant,
      // so the read model's row policies check every row the sink writes.
      const runs = readModels.tenantRole ? tenantRuns(events) : [{ tenant: null, events }];
      for (const run of runs) {
        if (run.tenant !== null) await switchTenant(tx, run.tenant);
        if (processor.kind === 'projection') await processor.apply(tx, run.events, tables);
        if (processor.kind === 'reactor')
          await handleWithInbox(tx, schema, processor, run.events, signal);
        if (run.tenant !== null) await switchTenant(tx, null);
      }
    }
    if (deadLetters.length > 0) {
      await insertDeadLetters(tx, schema, key, deadLetters);
      duetInstruments().deadLetters.add(deadLetters.length, { 'duet.processor': processor.name });
    }
    const moved = await moveCheckpoint(tx, schema, key, {
      expected: batch.expected,
      end: batch.end,
      applied: events.length,
      caughtUp: batch.caughtUp,
    });
    if (!moved) throw movedAway(processor, partition, batch.expected);
    return { applied: events.length, deadLetters };
  });
}

const movedAway = (processor: ProcessorDefinition, partition: number, expected: Position) =>
  new CheckpointMovedError(
    `${processor.name} v${processor.version} partition ${partition}: checkpoint moved away from ${expected}`,
  );

/** A relay's publish, minus parked streams' events; resolves to the parked streams. */
async function publishUnparked(
  readModels: SqlExecutor,
  target: BatchTarget,
  batch: Batch,
  signal: AbortSignal,
): Promise<Set<string>> {
  const { processor } = target;
  if (processor.kind !== 'relay') return new Set();
  const parked =
    processor.onFailure === 'park'
      ? await parkedStreams(readModels, target, batch.events)
      : new Set<string>();
  const events = batch.events.filter((event) => !parked.has(event.stream));
  if (events.length > 0) await processor.publish(events, { signal });
  return parked;
}

const parkedStreams = (
  sql: Pick<SqlTransaction, 'query'>,
  target: BatchTarget,
  events: readonly RecordedEvent[],
) =>
  readParkedStreams(sql, target.schema, target.processor, [
    ...new Set(events.map((event) => event.stream)),
  ]);

/**
 * The batch cut into runs of consecutive events of one tenant, in order. An event of no
 * tenant runs as the system (`null`).
 */
function tenantRuns(
  events: readonly RecordedEvent[],
): { tenant: string | null; events: RecordedEvent[] }[] {
  const runs: { tenant: string | null; events: RecordedEvent[] }[] = [];
  for (const event of events) {
    const tenant =
      typeof event.metadata.tenant === 'string' && event.metadata.tenant !== ''
        ? event.metadata.tenant
        : null;
    const last = runs.at(-1);
    if (last && last.tenant === tenant) last.events.push(event);
    else runs.push({ tenant, events: [event] });
  }
  return runs;
}
