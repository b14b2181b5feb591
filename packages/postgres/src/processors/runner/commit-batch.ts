import type { Position, RecordedEvent } from '@duet/core';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { abortableSleep } from './abortable-sleep.ts';
import {
  applyBatch,
  type BatchTarget,
  CheckpointMovedError,
  PausedError,
  SupersededError,
} from './apply-batch.ts';
import type { BatchSizer } from './batch-sizer.ts';
import { UndecodableEventError } from './decode-event.ts';
import { isUnavailable } from './is-unavailable.ts';
import { messageOf, PoisonedEventError } from './poisoned-event-error.ts';

export interface CommitContext {
  readonly readModels: SqlExecutor;
  readonly target: BatchTarget;
  readonly retry: { readonly attempts: number; readonly backoffMs: number };
  readonly sizer: BatchSizer;
  readonly signal: AbortSignal;
}

/** A range of the global order to commit: its matching events and where it ends. */
export interface Range {
  readonly events: readonly RecordedEvent[];
  readonly expected: Position;
  readonly end: Position;
  readonly caughtUp: boolean;
  /** Events of `events` that cannot be decoded, by id: each goes to the failure policy. */
  readonly undecodable?: ReadonlyMap<string, unknown>;
}

// Not the event's fault: retrying or narrowing would not help. A dependency that is down
// (UnavailableError) goes up to the worker, which waits and reads again from its checkpoint.
const isFatal = (error: unknown) =>
  error instanceof CheckpointMovedError ||
  error instanceof SupersededError ||
  error instanceof PausedError ||
  isUnavailable(error);

/**
 * Commits a range: retried with doubling backoff; if it keeps failing, narrowed by halves
 * to the one event that fails (the good halves commit on the way); then the projection's
 * policy: 'stop' throws `PoisonedEventError`, 'skip' and 'park' dead-letter the event and
 * move the checkpoint past it in one transaction. Resolves to the events applied.
 */
export async function commitRange(
  context: CommitContext,
  range: Range,
  narrowing = false,
): Promise<number> {
  // Halves get one try each (the whole range was retried already); a lone event gets them all.
  const attempts = narrowing && range.events.length > 1 ? 1 : context.retry.attempts;
  const failure = await tryCommit(context, range, attempts);
  if (typeof failure === 'number') return failure;
  if (range.events.length > 1) {
    const mid = Math.floor(range.events.length / 2);
    const left = range.events.slice(0, mid);
    const leftEnd = left.at(-1)!.position;
    const right = { ...range, events: range.events.slice(mid), expected: leftEnd };
    const applied = await commitRange(
      context,
      { ...range, events: left, end: leftEnd, caughtUp: false },
      true,
    );
    return applied + (await commitRange(context, right, true));
  }
  const event = range.events[0];
  // No event to blame (the database is down, say): let the caller wait and read again.
  if (!event) throw failure.error;
  const { onFailure } = context.target.processor;
  if (onFailure === 'stop') throw new PoisonedEventError(event, failure.error, range.expected);
  return commitOrThrow(context, {
    ...range,
    events: [],
    deadLetters: [{ event, error: messageOf(failure.error), parked: onFailure === 'park' }],
  });
}

async function tryCommit(
  context: CommitContext,
  range: Range,
  attempts: number,
): Promise<number | { error: unknown }> {
  let backoff = context.retry.backoffMs;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    context.signal.throwIfAborted();
    // Logged in the batch's span, so the line names the trace of its first event.
    const retrying = (error: unknown) => {
      if (isFatal(error) || context.signal.aborted) return;
      const { processor, partition, log } = context.target;
      const first = range.events[0];
      log.warn(
        {
          processor: processor.name,
          kind: processor.kind,
          version: processor.version,
          partition,
          events: range.events.length,
          from_position: range.expected,
          to_position: range.end,
          ...(first ? { first_event_id: first.id } : {}),
          attempt,
          attempts,
          error: messageOf(error),
        },
        attempt < attempts
          ? 'batch failed, will retry'
          : range.events.length > 1
            ? 'batch failed on every attempt, narrowing to the failing event'
            : 'event failed on every attempt, applying the failure policy',
      );
    };
    try {
      return await applyBatch(context.readModels, context.target, range, context.signal, retrying);
    } catch (error) {
      if (isFatal(error)) throw error;
      last = error;
      // Decoding fails the same way every time: narrow at once, no backoff.
      if (error instanceof UndecodableEventError) return { error };
      context.sizer.failed();
      if (attempt < attempts) {
        await abortableSleep(backoff, context.signal);
        backoff *= 2;
      }
    }
  }
  return { error: last };
}

async function commitOrThrow(
  context: CommitContext,
  batch: Parameters<typeof applyBatch>[2],
): Promise<number> {
  let backoff = context.retry.backoffMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyBatch(context.readModels, context.target, batch, context.signal);
    } catch (error) {
      if (isFatal(error) || attempt >= context.retry.attempts) throw error;
      await abortableSleep(backoff, context.signal);
      backoff *= 2;
    }
  }
}
