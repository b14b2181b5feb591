import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  type CommitSignal,
  contextOfTraceFields,
  isPosition,
  type Position,
  type ProcessorDefinition,
} from '@duet/core';
import { context as otelContext } from '@opentelemetry/api';
import { projectionTables } from '../../read-models/projection-tables.ts';
import type { ProjectionFailure } from '../processor-types.ts';
import {
  loadCheckpoint,
  markFailed as recordFailure,
  markLive as recordLive,
} from '../tables/checkpoints-table.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { CheckpointMovedError, PausedError, SupersededError } from './apply-batch.ts';
import { type BatchSizer, createBatchSizer } from './batch-sizer.ts';
import { commitRange } from './commit-batch.ts';
import { messageOf, PoisonedEventError } from './poisoned-event-error.ts';
import { processorPageReader } from './read-event-page.ts';
import type { RunnerConfig } from './resolve-runner-options.ts';

export type WorkerState = 'catching_up' | 'live' | 'paused' | 'failed' | 'stopped';
export type WorkerExit = 'stopped' | 'superseded' | 'failed';

/** One partition of one processor version, run by this process. */
export interface PartitionWorker {
  readonly processor: ProcessorDefinition;
  readonly partition: number;
  readonly state: WorkerState;
  readonly sizer: BatchSizer;
  /** Events covered since the worker started or the processor was reset, and since when. */
  readonly progress: { readonly eventsDone: number; readonly since: number };
  /** The last error that made it wait (a database error, an `UnavailableError`), if any. */
  readonly lastError: string | undefined;
  /** The event it stopped on (state 'failed'). */
  readonly failure: ProjectionFailure | undefined;
  readonly done: Promise<WorkerExit>;
  /** Ends the wait it is in (idle, or paused) so it looks again: after a pause or a resume. */
  nudge(): void;
  /** Finishes the batch in flight and resolves when the loop has ended. */
  stop(): Promise<WorkerExit>;
}

export interface WorkerHooks {
  /** True while the version is not the active one yet. */
  building(): boolean;
  /** A building version's partition caught up: try the blue-green switch. */
  caughtUp(): Promise<void>;
  /** True while an operator has paused the processor: finish the batch, then wait. */
  paused(): boolean;
  /** A batch met a pause its notification had not brought yet: read the pauses now. */
  refreshPauses?(): Promise<void>;
  /** The partition reached the head (it was catching up before): a rebuild's end. */
  live?(): void;
}

/**
 * Runs one partition: catch up from the checkpoint in adaptive batches, then follow live,
 * woken by the store's NOTIFY (or the poll interval). Each batch commits with its
 * checkpoint (`commitRange`); a checkpoint moved by someone else is re-read; a newer
 * active version ends the loop; a poisoned event under 'stop' marks the partition failed.
 */
export function startPartitionWorker(
  config: RunnerConfig,
  processor: ProcessorDefinition,
  partition: number,
  wake: CommitSignal,
  hooks: WorkerHooks,
): PartitionWorker {
  const controller = new AbortController();
  const { signal } = controller;
  const key = { name: processor.name, version: processor.version, partition };
  const target = {
    schema: config.schema,
    processor,
    tables: projectionTables(config.readModelSchema, processor.name, processor.version),
    partition,
    log: config.log,
  };
  const names = {
    processor: processor.name,
    kind: processor.kind,
    version: processor.version,
    partition,
  };
  const reader = processorPageReader(config.pages, processor, partition, config.registry);
  const sizer = createBatchSizer(config.batchSize, config.targetBatchMs);
  const context = { readModels: config.readModels, target, retry: config.retry, sizer, signal };
  let state: WorkerState = 'catching_up';
  let lastError: string | undefined;
  let failure: ProjectionFailure | undefined;
  const progress = { eventsDone: 0, since: Date.now() };
  // Waits end on stop (signal) or on a nudge (a pause or resume to look at now).
  let nudger = new AbortController();
  const waitSignal = () => AbortSignal.any([signal, nudger.signal]);

  // Catching up until it finds nothing more to read (then markLive): the state recorded
  // for other processes' status must not say 'live' from a run that ended long ago.
  const load = async (): Promise<Position | null> => {
    const position = await loadCheckpoint(config.readModels, config.schema, key);
    return position !== undefined && isPosition(position) ? position : null;
  };

  // Also reads where the checkpoint is: a rebuild (from any process) may have reset it,
  // and an idle worker has no batch whose fenced move would tell it.
  const markLive = (position: Position): Promise<string | undefined> =>
    recordLive(config.readModels, config.schema, key, position);

  // Recorded in the checkpoint row for every process's status; kept here too, in case the
  // database refuses the write (a full connection pool, say).
  const markFailed = async (poison: PoisonedEventError) => {
    failure = {
      message: messageOf(poison.cause),
      eventId: poison.event.id,
      eventPosition: poison.event.position,
      stream: poison.event.stream,
      type: poison.event.type,
    };
    let wait = config.retry.backoffMs;
    for (let attempt = 1; attempt <= 5 && !signal.aborted; attempt++) {
      try {
        await recordFailure(config.readModels, config.schema, key, poison.at, failure);
        return;
      } catch {
        await abortableSleep(wait, signal);
        wait = Math.min(wait * 2 || 100, 2_000);
      }
    }
  };

  const run = async (): Promise<WorkerExit> => {
    let position: Position | null = null;
    let backoff = config.retry.backoffMs;
    let heldBackoff = 5;
    while (!signal.aborted) {
      try {
        if (hooks.paused()) {
          // Between batches: nothing is in flight. Reload on resume, in case a rebuild
          // (which a paused processor still takes) moved the checkpoint meanwhile.
          state = 'paused';
          position = null;
          await abortableSleep(config.pollIntervalMs, waitSignal());
          continue;
        }
        position ??= await load();
        if (position === null) return 'superseded'; // its rows were dropped after a switch
        if (state === 'paused') state = 'catching_up';
        const seen = wake.generation;
        const size = sizer.size;
        const page = await reader.read(position, size);
        if (page.end === null) {
          if (wake.notifiedHead > position) {
            // Committed, but held behind a running appender's transaction. No NOTIFY will
            // come for these events again, but the blocker notifies when it commits: wait
            // for that, or (if it rolls back) for a growing backoff.
            await wake.wait(seen, heldBackoff, waitSignal());
            heldBackoff = Math.min(heldBackoff * 2, config.pollIntervalMs);
            continue;
          }
          if ((await markLive(position)) !== position) {
            position = null;
            progress.eventsDone = 0;
            progress.since = Date.now();
            continue;
          }
          if (state !== 'live') hooks.live?.();
          state = 'live';
          if (hooks.building()) await hooks.caughtUp();
          await wake.wait(seen, config.pollIntervalMs, waitSignal());
          continue;
        }
        heldBackoff = 5;
        const caughtUp = page.scanned < size;
        const started = performance.now();
        const range = {
          events: page.events,
          expected: position,
          end: page.end,
          caughtUp,
          undecodable: page.undecodable,
        };
        const applied = await commitRange(context, range);
        const ms = performance.now() - started;
        sizer.committed(page.scanned, ms);
        position = page.end;
        progress.eventsDone += page.scanned;
        if (caughtUp && state !== 'live') hooks.live?.();
        state = caughtUp ? 'live' : 'catching_up';
        lastError = undefined;
        backoff = config.retry.backoffMs;
        config.onBatch?.({
          name: processor.name,
          version: processor.version,
          partition,
          scanned: page.scanned,
          applied,
          batchSize: size,
          ms,
          position,
        });
        if (caughtUp && hooks.building()) await hooks.caughtUp();
        // PGlite runs in this thread and answers without I/O: a catch-up of promise-only
        // batches would starve timers and requests (status, HTTP) until it ended.
        else if (!caughtUp) await yieldToLoop();
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof SupersededError) return 'superseded';
        if (error instanceof PausedError) {
          // The batch was refused and kept nothing: learn of the pause, then wait as paused.
          position = null;
          await hooks.refreshPauses?.();
          if (!hooks.paused()) await abortableSleep(config.pollIntervalMs, waitSignal());
          continue;
        }
        if (error instanceof CheckpointMovedError) {
          position = null; // re-read it: a rebuild reset it, or another runner moved it
          progress.eventsDone = 0;
          progress.since = Date.now();
          continue;
        }
        if (error instanceof PoisonedEventError) {
          const { event } = error;
          // In the event's trace: the line joins the command that appended it.
          otelContext.with(contextOfTraceFields(event.metadata), () =>
            config.log.error(
              {
                ...names,
                policy: processor.onFailure,
                event_id: event.id,
                event_type: event.type,
                stream: event.stream,
                stream_version: event.streamVersion,
                position: event.position,
                checkpoint: error.at,
                error: messageOf(error.cause),
              },
              'partition stopped on a poisoned event',
            ),
          );
          await markFailed(error);
          state = 'failed';
          lastError = error.message;
          return 'failed';
        }
        // The database is unreachable, or a sink's dependency is (UnavailableError): not the
        // event's fault, so no narrowing and no dead letter; wait, then read again from the
        // checkpoint, with a backoff capped at 2 s. One line per outage, not per retry.
        if (lastError === undefined) {
          config.log.warn(
            { ...names, error: messageOf(error) },
            'partition waiting: the database or a dependency is unavailable',
          );
        }
        lastError = messageOf(error);
        position = null;
        await abortableSleep(backoff, signal);
        backoff = Math.min(backoff * 2 || 100, 2_000);
      }
    }
    return 'stopped';
  };

  const done = run().then((exit) => {
    if (state !== 'failed') state = 'stopped';
    return exit;
  });
  return {
    processor,
    partition,
    get state() {
      return state;
    },
    sizer,
    progress,
    get lastError() {
      return lastError;
    },
    get failure() {
      return failure;
    },
    done,
    nudge() {
      nudger.abort();
      nudger = new AbortController();
    },
    stop() {
      controller.abort();
      return done;
    },
  };
}
