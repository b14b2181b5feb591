import { ConcurrencyError, type EventStore, type ExpectedVersion, newEventId } from '@duet/core';
import { createPgExecutor, createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';
import { mulberry32 } from '../../test-support/stress.ts';

// Issue 3, "Concurrency": writers race on a set of streams that start empty. Each attempt
// reads the stream's version and appends with exactly that expected version ('no_stream'
// for an empty stream), so every stream's first event is raced too. On PostgreSQL the
// writers are spread over several stores with their own pools, as several app instances
// would be; on PGlite they share the one connection.

const POSTGRES = { writers: 64, streams: 100, attempts: 20_000, stores: 4 } as const;
const PGLITE = { writers: 16, streams: 20, attempts: 2_000, stores: 1 } as const;
const SEED = 20261126;

interface Sizes {
  readonly writers: number;
  readonly streams: number;
  readonly attempts: number;
  readonly stores: number;
}

interface Success {
  readonly stream: string;
  readonly id: string;
  readonly expected: ExpectedVersion;
  readonly streamVersion: number;
  readonly resultStream: string;
}

interface Loss {
  readonly stream: string;
  readonly expected: ExpectedVersion;
  readonly error: unknown;
}

interface RaceOutcome {
  readonly successes: Success[];
  readonly losses: Loss[];
  readonly unexpected: unknown[];
}

const databaseUrl = inject('databaseUrl');

describe('append races', () => {
  describe.skipIf(databaseUrl === null)('on PostgreSQL', () => {
    it(`given ${POSTGRES.streams} empty streams and ${POSTGRES.stores} stores, when ${POSTGRES.writers} writers make ${POSTGRES.attempts} read-then-append attempts, then versions are contiguous, every success is stored and every loser gets a ConcurrencyError with the right versions`, async () => {
      const db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
      const extra = Array.from({ length: POSTGRES.stores - 1 }, () =>
        createPgExecutor({ connectionString: databaseUrl as string }),
      );
      try {
        const stores = [db.executor, ...extra].map((executor) =>
          createPostgresEventStore({ executor, schema: db.schema }),
        );
        try {
          const outcome = await race(stores, POSTGRES);
          await checkOutcome(stores[0]!, outcome, POSTGRES);
        } finally {
          for (const store of stores) await store.close();
        }
      } finally {
        for (const executor of extra) await executor.close();
        await db.dispose();
      }
    }, 180_000);
  });

  describe('on PGlite', () => {
    it(`given ${PGLITE.streams} empty streams, when ${PGLITE.writers} writers make ${PGLITE.attempts} read-then-append attempts, then versions are contiguous, every success is stored and every loser gets a ConcurrencyError with the right versions`, async () => {
      const db = await openTestDatabase({ kind: 'pglite' });
      try {
        const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
        try {
          const outcome = await race([store], PGLITE);
          await checkOutcome(store, outcome, PGLITE);
        } finally {
          await store.close();
        }
      } finally {
        await db.dispose();
      }
    }, 180_000);
  });
});

async function race(stores: readonly EventStore[], sizes: Sizes): Promise<RaceOutcome> {
  const random = mulberry32(SEED);
  const names = Array.from({ length: sizes.streams }, (_, i) => `race-${i}`);
  const outcome: RaceOutcome = { successes: [], losses: [], unexpected: [] };
  let next = 0;
  const writer = async (index: number) => {
    const store = stores[index % stores.length]!;
    while (next < sizes.attempts) {
      next += 1;
      const stream = names[Math.floor(random() * names.length)]!;
      const info = await store.streamInfo(stream);
      const version = info?.version ?? 0;
      const expected: ExpectedVersion = version === 0 ? 'no_stream' : version;
      const id = newEventId();
      try {
        const result = await store.append(
          stream,
          [{ type: 'Raced', data: { writer: index }, id }],
          { expectedVersion: expected },
        );
        outcome.successes.push({
          stream,
          id,
          expected,
          streamVersion: result.streamVersion,
          resultStream: result.stream,
        });
      } catch (error) {
        if (error instanceof ConcurrencyError) outcome.losses.push({ stream, expected, error });
        else outcome.unexpected.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: sizes.writers }, (_, i) => writer(i)));
  return outcome;
}

async function checkOutcome(store: EventStore, outcome: RaceOutcome, sizes: Sizes): Promise<void> {
  console.info(
    `${sizes.attempts} attempts: ${outcome.successes.length} stored, ${outcome.losses.length} ConcurrencyErrors (${outcome.losses.filter((loss) => loss.expected === 'no_stream').length} on a first event)`,
  );
  const problems: string[] = [];
  let wrongLoserErrors = 0;
  // Each success landed right after the version it expected.
  for (const success of outcome.successes) {
    const want = versionNumber(success.expected) + 1;
    if (success.resultStream !== success.stream || success.streamVersion !== want) {
      problems.push(
        `append to ${success.stream} expecting ${success.expected} returned ${success.resultStream} v${success.streamVersion}`,
      );
    }
  }

  // Per stream: versions 1..n without gaps, and exactly the successful events, each at the
  // version its append reported.
  const byStream = new Map<string, Map<string, number>>();
  for (const success of outcome.successes) {
    const ids = byStream.get(success.stream) ?? new Map<string, number>();
    ids.set(success.id, success.streamVersion);
    byStream.set(success.stream, ids);
  }
  const finalVersions = new Map<string, number>();
  let versionGaps = 0;
  for (let i = 0; i < sizes.streams; i += 1) {
    const stream = `race-${i}`;
    const expectedIds = byStream.get(stream) ?? new Map<string, number>();
    let count = 0;
    for await (const event of store.readStream(stream)) {
      count += 1;
      if (event.streamVersion !== count) {
        versionGaps += 1;
        problems.push(`${stream}: event ${count} has version ${event.streamVersion}`);
      }
      if (expectedIds.get(event.id) !== event.streamVersion) {
        problems.push(
          `${stream}: stored ${event.id} at v${event.streamVersion}, not a success there`,
        );
      }
    }
    if (count !== expectedIds.size) {
      problems.push(`${stream}: ${count} events stored, ${expectedIds.size} appends succeeded`);
    }
    const info = await store.streamInfo(stream);
    if ((info?.version ?? 0) !== count) {
      problems.push(`${stream}: streamInfo says v${info?.version ?? 0}, ${count} events stored`);
    }
    finalVersions.set(stream, count);
  }

  // The whole log holds exactly as many events as there were successes.
  let total = 0;
  for await (const _event of store.readAll()) total += 1;

  // Every loser was told the truth: its stream, what it passed, and a version the stream
  // really had moved to (past what it expected, not past where the stream ended).
  for (const loss of outcome.losses) {
    const error = loss.error as ConcurrencyError;
    const expected = versionNumber(loss.expected);
    const final = finalVersions.get(loss.stream) ?? 0;
    if (
      error.stream !== loss.stream ||
      error.expected !== loss.expected ||
      error.actual === expected ||
      !(error.actual > expected) ||
      error.actual > final
    ) {
      wrongLoserErrors += 1;
      problems.push(
        `loser on ${loss.stream} expecting ${loss.expected} (stream ends at ${final}) got ConcurrencyError(${error.stream}, ${String(error.expected)}, ${error.actual})`,
      );
    }
  }
  reportFigures('S4', {
    races: `${sizes.writers} writers on ${sizes.streams} streams through ${sizes.stores} store(s)`,
    attempts: sizes.attempts,
    stored: outcome.successes.length,
    losersTypedConcurrencyError: outcome.losses.length,
    firstAppendLosers: outcome.losses.filter((loss) => loss.expected === 'no_stream').length,
    losersUntyped: outcome.unexpected.length,
    wrongLoserErrors,
    versionGaps,
    storedNotReported: total - outcome.successes.length,
  });
  expect(outcome.unexpected.slice(0, 5)).toEqual([]);
  expect(outcome.successes.length + outcome.losses.length).toBe(sizes.attempts);
  // The race has to have happened, first events included, or the test proved nothing.
  expect(outcome.losses.length).toBeGreaterThan(0);
  expect(outcome.losses.some((loss) => loss.expected === 'no_stream')).toBe(true);
  // The whole log holds exactly as many events as there were successes.
  expect(total).toBe(outcome.successes.length);
  expect(problems.slice(0, 10)).toEqual([]);
}

function versionNumber(expected: ExpectedVersion): number {
  if (typeof expected === 'number') return expected;
  if (expected === 'no_stream') return 0;
  throw new Error(`the race only passes numbers and 'no_stream', not ${expected}`);
}
