import { ValidationError, type ValidationIssue } from '../errors/validation-error.ts';
import type {
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from '../event-store/event-store.ts';
import { isPosition, type Position, START_POSITION } from '../event-store/position.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { toStreamName } from '../event-store/stream-name.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import type { Message } from '../messages/message.ts';
import type { ChangeNotifier } from './change-notifier.ts';
import type { AllFilter, InMemoryEventLog, StoredEvent } from './in-memory-event-log.ts';
import { isPositiveInteger } from './in-memory-event-store-options.ts';
import { toRecordedEvent } from './to-recorded-event.ts';

interface ReadContext {
  readonly log: InMemoryEventLog;
  readonly changes: ChangeNotifier;
  readonly registry: EventRegistry | undefined;
  readonly pageSize: number;
}

/**
 * The read side of the in-memory store. Each read is an async generator that takes one
 * page at a time from the log: a page is a consistent copy, and events appended while a
 * caller iterates show up in a later page, in order, or not at all.
 */
export function createInMemoryReads(context: ReadContext) {
  const { log, changes } = context;

  const toRecorded = <E extends Message>(stored: StoredEvent): RecordedEvent<E> =>
    toRecordedEvent<E>(stored, context.registry);

  async function* readStream<E extends Message = Message>(
    stream: string,
    options: ReadStreamOptions = {},
  ): AsyncGenerator<RecordedEvent<E>> {
    // The same refusal as every store's, though a Map could look up any string.
    toStreamName(stream);
    checkReadOptions(`readStream ${stream}`, options);
    const backward = options.direction === 'backward';
    const pageSize = options.pageSize ?? context.pageSize;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    // Backward reads start at the stream's last event as it is when the read begins.
    let next = options.fromVersion ?? (backward ? log.version(stream) : 1);
    const last = options.toVersion ?? (backward ? 1 : Number.POSITIVE_INFINITY);
    while (remaining > 0) {
      options.signal?.throwIfAborted();
      const limit = Math.min(pageSize, remaining);
      const page = backward
        ? log.streamBackward(stream, next, last, limit)
        : log.streamForward(stream, next, last, limit);
      for (const stored of page) yield toRecorded<E>(stored);
      if (page.length < limit) return;
      remaining -= page.length;
      next = page.at(-1)!.streamVersion + (backward ? -1 : 1);
    }
  }

  async function* readAll<E extends Message = Message>(
    options: ReadAllOptions = {},
  ): AsyncGenerator<RecordedEvent<E>> {
    checkReadOptions('readAll', options);
    const pageSize = options.pageSize ?? context.pageSize;
    const filter = toFilter(options);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let after = options.after ?? START_POSITION;
    while (remaining > 0) {
      options.signal?.throwIfAborted();
      const limit = Math.min(pageSize, remaining);
      const page = log.allAfter(after, filter, limit);
      for (const stored of page.events) yield toRecorded<E>(stored);
      if (page.events.length < limit) return;
      remaining -= page.events.length;
      after = page.scanned;
    }
  }

  async function* subscribe<E extends Message = Message>(
    options: SubscribeOptions = {},
  ): AsyncGenerator<RecordedEvent<E>> {
    checkReadOptions('subscribe', options);
    const { signal } = options;
    const pageSize = options.pageSize ?? context.pageSize;
    const filter = toFilter(options);
    let after: Position = options.after ?? START_POSITION;
    while (!signal?.aborted) {
      const page = log.allAfter(after, filter, pageSize);
      after = page.scanned;
      if (page.events.length === 0) {
        // Caught up. Once the store is closed there is nothing more to wait for.
        if (changes.closed) return;
        await changes.wait(signal);
        continue;
      }
      for (const stored of page.events) {
        if (signal?.aborted) return;
        yield toRecorded<E>(stored);
      }
    }
  }

  return { readStream, readAll, subscribe };
}

function toFilter(options: ReadAllOptions): AllFilter {
  return {
    category: options.category,
    types: options.types === undefined ? undefined : new Set(options.types),
  };
}

/** Bad read options fail the first `next()` with a `ValidationError`, before any event. */
function checkReadOptions(subject: string, options: ReadStreamOptions & ReadAllOptions): void {
  const issues: ValidationIssue[] = [];
  for (const key of ['fromVersion', 'toVersion', 'maxCount'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      issues.push({ path: [key], message: `expected a whole number >= 0, got ${value}` });
    }
  }
  if (options.pageSize !== undefined && !isPositiveInteger(options.pageSize)) {
    issues.push({ path: ['pageSize'], message: `expected a whole number >= 1` });
  }
  if (options.direction !== undefined && !['forward', 'backward'].includes(options.direction)) {
    issues.push({ path: ['direction'], message: "expected 'forward' or 'backward'" });
  }
  if (options.after !== undefined && !isPosition(options.after)) {
    issues.push({ path: ['after'], message: 'expected a position token' });
  }
  if (options.types !== undefined && !Array.isArray(options.types)) {
    issues.push({ path: ['types'], message: 'expected an array of event types' });
  }
  if (issues.length > 0) throw new ValidationError(`${subject} options`, issues);
}
