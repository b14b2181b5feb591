import type { Arbitrary } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../errors/concurrency-error.ts';
import type { AppendResult, EventStore } from '../../event-store/event-store.ts';
import type { ExpectedVersion } from '../../event-store/expected-version.ts';
import type { RecordedEvent } from '../../event-store/recorded-event.ts';
import { type ConformanceContext, collect, uniqueCategory } from './conformance-context.ts';

// The store against a model written apart from any store's code: each stream is the list
// of its event tags, the log every tag in order. fast-check generates the operations and
// shrinks a failure to the shortest sequence that still fails. Each run uses a category of
// its own, so runs (and other tests) may share one store and one database.

interface Model {
  readonly streams: Map<string, number[]>;
  readonly log: number[];
}

type AppendOp = {
  kind: 'append';
  stream: number;
  count: number;
  // 'relative' expects the model's version plus an offset, so conflicts are frequent.
  expected: ExpectedVersion | { relative: number };
};
type Op =
  | AppendOp
  | { kind: 'readStream'; stream: number; backward: boolean; pageSize: number }
  | { kind: 'readAll'; pageSize: number };

type FastCheck = typeof import('fast-check').default;

/**
 * fast-check is an optional peer of @duet/core, loaded when the model properties run, so
 * `@duet/core/testing` (the decider specs, the other conformance checks) works without it.
 */
async function loadFastCheck(): Promise<FastCheck> {
  try {
    return (await import('fast-check')).default;
  } catch (error) {
    throw new Error(
      "the event store conformance suite's model properties need fast-check: npm install -D fast-check",
      { cause: error },
    );
  }
}

function arbitraries(fc: FastCheck) {
  const streamArb = fc.constantFrom(1, 2, 3);
  const expectedArb = fc.oneof(
    fc.constantFrom<ExpectedVersion>('any', 'no_stream', 'stream_exists'),
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: -1, max: 1 }).map((relative) => ({ relative })),
  );
  const appendArb: Arbitrary<AppendOp> = fc.record({
    kind: fc.constant('append' as const),
    stream: streamArb,
    count: fc.integer({ min: 1, max: 3 }),
    expected: expectedArb,
  });
  const opArb: Arbitrary<Op> = fc.oneof(
    { arbitrary: appendArb, weight: 4 },
    fc.record({
      kind: fc.constant('readStream' as const),
      stream: streamArb,
      backward: fc.boolean(),
      pageSize: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({ kind: fc.constant('readAll' as const), pageSize: fc.integer({ min: 1, max: 4 }) }),
  );
  return { appendArb, opArb };
}

/** The model's own reading of an expected version. */
function accepts(expected: ExpectedVersion, version: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return version === 0;
  if (expected === 'stream_exists') return version > 0;
  return version === expected;
}

function resolve(op: AppendOp, model: Model, name: string): ExpectedVersion {
  if (typeof op.expected !== 'object') return op.expected;
  return Math.max(0, (model.streams.get(name)?.length ?? 0) + op.expected.relative);
}

const tagOf = (event: RecordedEvent) => (event.data as { tag: number }).tag;

async function expectStoreMatches(store: EventStore, category: string, model: Model) {
  const all = await collect(store.readAll({ category, pageSize: 3 }));
  expect(all.map(tagOf)).toEqual(model.log);
  for (const [index, event] of all.entries()) {
    if (index > 0) expect(event.position > all[index - 1]!.position).toBe(true);
  }
  for (const [stream, tags] of model.streams) {
    const events = await collect(store.readStream(stream, { pageSize: 2 }));
    expect(events.map(tagOf)).toEqual(tags);
    expect(events.map((event) => event.streamVersion)).toEqual(tags.map((_, index) => index + 1));
  }
}

export function describeModelProperties(context: ConformanceContext): void {
  const runs = context.modelRuns;
  describe('against a model (fast-check)', () => {
    it('given random sequences of appends and reads, then the store always agrees with the model', async () => {
      const fc = await loadFastCheck();
      const { opArb } = arbitraries(fc);
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
          const store = context.store();
          const category = uniqueCategory('m');
          const name = (stream: number) => `${category}-${stream}`;
          const model: Model = { streams: new Map(), log: [] };
          let nextTag = 0;
          for (const op of ops) {
            if (op.kind === 'readAll') {
              const all = await collect(store.readAll({ category, pageSize: op.pageSize }));
              expect(all.map(tagOf)).toEqual(model.log);
              continue;
            }
            const stream = name(op.stream);
            const tags = model.streams.get(stream) ?? [];
            if (op.kind === 'readStream') {
              const read = store.readStream(stream, {
                pageSize: op.pageSize,
                direction: op.backward ? 'backward' : 'forward',
              });
              const expected = op.backward ? [...tags].reverse() : tags;
              expect((await collect(read)).map(tagOf)).toEqual(expected);
              continue;
            }
            const expectedVersion = resolve(op, model, stream);
            const newTags = Array.from({ length: op.count }, () => nextTag++);
            const events = newTags.map((tag) => ({ type: 'Tagged', data: { tag } }));
            const attempt = store.append(stream, events, { expectedVersion });
            if (accepts(expectedVersion, tags.length)) {
              expect((await attempt).streamVersion).toBe(tags.length + op.count);
              model.streams.set(stream, [...tags, ...newTags]);
              model.log.push(...newTags);
            } else {
              await expect(attempt).rejects.toSatisfy(
                (error) => error instanceof ConcurrencyError && error.actual === tags.length,
              );
            }
          }
          await expectStoreMatches(store, category, model);
        }),
        { numRuns: runs.sequential },
      );
    });

    it.runIf(context.supportsConcurrentWriters)(
      'given batches of appends fired at once, then the winners replay in position order and every loser had a stale expectation',
      async () => {
        const fc = await loadFastCheck();
        const { appendArb } = arbitraries(fc);
        const batchesArb = fc.array(fc.array(appendArb, { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 6,
        });
        await fc.assert(
          fc.asyncProperty(batchesArb, async (batches) => {
            const store = context.store();
            const category = uniqueCategory('m');
            const name = (stream: number) => `${category}-${stream}`;
            const model: Model = { streams: new Map(), log: [] };
            let nextTag = 0;
            for (const batch of batches) {
              const calls = batch.map((op) => {
                const stream = name(op.stream);
                const expectedVersion = resolve(op, model, stream);
                const tags = Array.from({ length: op.count }, () => nextTag++);
                const events = tags.map((tag) => ({ type: 'Tagged', data: { tag } }));
                return {
                  stream,
                  tags,
                  expectedVersion,
                  outcome: store.append(stream, events, { expectedVersion }),
                };
              });
              const settled = await Promise.allSettled(calls.map((call) => call.outcome));
              const winners: { call: (typeof calls)[number]; result: AppendResult }[] = [];
              for (const [index, outcome] of settled.entries()) {
                const call = calls[index]!;
                if (outcome.status === 'fulfilled') {
                  winners.push({ call, result: outcome.value });
                  continue;
                }
                const error: unknown = outcome.reason;
                expect(error).toBeInstanceOf(ConcurrencyError);
                expect(accepts(call.expectedVersion, (error as ConcurrencyError).actual)).toBe(
                  false,
                );
              }
              // Replaying the winners in the order the store gave them must satisfy each one.
              winners.sort((a, b) => (a.result.position < b.result.position ? -1 : 1));
              for (const { call, result } of winners) {
                const tags = model.streams.get(call.stream) ?? [];
                expect(accepts(call.expectedVersion, tags.length)).toBe(true);
                expect(result.streamVersion).toBe(tags.length + call.tags.length);
                model.streams.set(call.stream, [...tags, ...call.tags]);
                model.log.push(...call.tags);
              }
            }
            await expectStoreMatches(store, category, model);
          }),
          { numRuns: runs.concurrent },
        );
      },
    );
  });
}
