import { afterAll, beforeAll, describe } from 'vitest';
import type { CommittedEventPages } from '../event-store/committed-event-pages.ts';
import type { EventStore } from '../event-store/event-store.ts';
import { describeExpectedVersions } from './conformance/append-expected-version.ts';
import { describeIdempotency } from './conformance/append-idempotency.ts';
import { describeAppendRefusals } from './conformance/append-refusals.ts';
import { describeAppendResultIds } from './conformance/append-result-ids.ts';
import { describeAppendValidation } from './conformance/append-validation.ts';
import { describeCommittedPages } from './conformance/committed-pages.ts';
import { describeConcurrentAppends } from './conformance/concurrent-appends.ts';
import type { ConformanceContext } from './conformance/conformance-context.ts';
import { describeEventContent } from './conformance/event-content.ts';
import { describeLargeStream } from './conformance/large-stream.ts';
import { describeModelProperties } from './conformance/model-properties.ts';
import { describeReadAll } from './conformance/read-all.ts';
import { describeReadStream } from './conformance/read-stream.ts';
import { describeStreamInfo } from './conformance/stream-info.ts';
import { describeSubscribe } from './conformance/subscribe.ts';

/** How to run the event store conformance suite against one adapter. */
export interface EventStoreConformanceOptions {
  /** Shown in the test names: `EventStore conformance: <name>`. */
  readonly name: string;
  /**
   * Makes the store under test. Called ONCE for the whole suite (in `beforeAll`); `dispose`
   * runs in `afterAll`. Tests never assume an empty store: each writes to streams of a
   * category of its own (random, e.g. `c3f9a...-1`) and reads `readAll` filtered by it, so
   * a store may share its database with other tests.
   */
  readonly create: () => Promise<{
    store: EventStore & CommittedEventPages;
    dispose?: () => Promise<void>;
  }>;
  /** Events in the large-stream tests (default 2,000), appended in batches of 500. */
  readonly largeStreamSize?: number;
  /**
   * Whether to run the tests that fire appends at the same moment (races on one stream,
   * many streams at once, readers following writers). Default true; set false only for a
   * store that cannot take overlapping calls, and say why.
   */
  readonly supportsConcurrentWriters?: boolean;
  /**
   * Runs of the model-based properties (fast-check, an optional peer dependency):
   * random sequences of appends and reads, and batches of appends fired at once, checked
   * against a model (default { sequential: 100, concurrent: 60 }; fewer on a slow store).
   */
  readonly modelRuns?: { readonly sequential?: number; readonly concurrent?: number };
}

/**
 * Runs the EventStore contract as vitest tests: expected versions, idempotent retries, the
 * ids an append's result names, validation and limits, atomicity, paged reads both ways,
 * global order, races, subscriptions, committed pages and their commit signal
 * (`CommittedEventPages`), stream info and content round-trips, and model-based properties
 * (fast-check). Call it at the top level of an adapter's test file.
 *
 * @example
 * // in-memory-event-store.conformance.unit.test.ts
 * runEventStoreConformance({ name: 'in-memory', create: async () => ({ store: createInMemoryEventStore() }) });
 */
export function runEventStoreConformance(options: EventStoreConformanceOptions): void {
  const largeStreamSize = options.largeStreamSize ?? 2_000;
  if (typeof options.name !== 'string' || typeof options.create !== 'function') {
    throw new TypeError(
      'runEventStoreConformance needs { name: string, create: () => Promise<{ store }> }',
    );
  }
  if (!Number.isSafeInteger(largeStreamSize) || largeStreamSize < 10) {
    throw new TypeError(`largeStreamSize must be a whole number >= 10, got ${largeStreamSize}`);
  }

  describe(`EventStore conformance: ${options.name}`, () => {
    let current:
      | { store: EventStore & CommittedEventPages; dispose?: () => Promise<void> }
      | undefined;
    const context: ConformanceContext = {
      store() {
        if (!current) throw new Error('the store is not created yet (create() failed?)');
        return current.store;
      },
      largeStreamSize,
      supportsConcurrentWriters: options.supportsConcurrentWriters ?? true,
      modelRuns: {
        sequential: options.modelRuns?.sequential ?? 100,
        concurrent: options.modelRuns?.concurrent ?? 60,
      },
    };

    beforeAll(async () => {
      current = await options.create();
    });
    afterAll(async () => {
      await current?.dispose?.();
    });

    describeExpectedVersions(context);
    describeIdempotency(context);
    describeAppendResultIds(context);
    describeAppendValidation(context);
    describeAppendRefusals(context);
    describeReadStream(context);
    describeReadAll(context);
    describeLargeStream(context);
    describeConcurrentAppends(context);
    describeSubscribe(context);
    describeCommittedPages(context);
    describeStreamInfo(context);
    describeEventContent(context);
    describeModelProperties(context);
  });
}
