import {
  type AppendResult,
  ConcurrencyError,
  DuplicateEventError,
  type ExpectedVersion,
  type NewEvent,
  newEventId,
  ValidationError,
} from '@duet/core';
import { positionParts } from '@duet/core/adapters';
import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';
import { mulberry32 } from '../../test-support/stress.ts';

// Issue 3, "Group commit isolation": one store gathers concurrent appends into shared
// transactions. Fired all at once, appends with right and wrong expected versions, two
// appends racing on one stream, reused event ids and empty appends land in the same
// batches; only the ones that should fail do, each with its own typed error.

const STREAMS = 600;
const ROUNDS = 4;
const WRONG_RATE = 0.1;
const DUPLICATE_ID_RATE = 0.02;
const EMPTY_RATE = 0.01;
const PAIR_RATE = 0.05;
const MAX_EVENTS_PER_APPEND = 4;
const TWINS = 10;
const SEED = 31_337;

type Kind = 'right' | 'wrong' | 'duplicate-id' | 'empty' | 'pair' | 'twin-id' | 'twin-retry';

interface Planned {
  readonly kind: Kind;
  readonly stream: string;
  readonly expected: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('group commit on PostgreSQL', () => {
  it(`given ${STREAMS} streams at versions 0-3, when ${ROUNDS} rounds of concurrent appends mix right and wrong expected versions, same-stream pairs, reused ids, empty appends and (last) one id in two appends of a batch, then only the wrong ones fail, with their own errors, and every other append is stored`, async () => {
    const db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    try {
      const random = mulberry32(SEED);
      const model = new Map<string, string[]>();
      const names = Array.from({ length: STREAMS }, (_, i) => `cart-${i}`);
      await Promise.all(
        names.map(async (stream, i) => {
          const ids = Array.from({ length: i % 4 }, () => newEventId());
          model.set(stream, ids);
          if (ids.length > 0)
            await store.append(
              stream,
              ids.map((id) => event(id)),
              {},
            );
        }),
      );

      const problems: string[] = [];
      let transactions = 0;
      let appended = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const plan = names.flatMap((stream) => planFor(stream, model, random));
        const results = await Promise.allSettled(
          plan.map((p) => store.append(p.stream, p.events, { expectedVersion: p.expected })),
        );
        const xids = new Set<bigint>();
        // A pair is two appends to one stream with the same expected version: one wins.
        const pairWinners = new Map<string, number>();
        plan.forEach((p, i) => {
          const result = results[i]!;
          const version = model.get(p.stream)!.length;
          if (p.kind === 'pair') pairWinners.set(p.stream, pairWinners.get(p.stream) ?? 0);
          if (result.status === 'fulfilled') {
            for (const position of result.value.positions) {
              xids.add(positionParts(position).transactionId);
            }
            appended += 1;
            if (p.kind === 'pair') pairWinners.set(p.stream, pairWinners.get(p.stream)! + 1);
            problems.push(...checkSuccess(p, result.value, version));
          } else {
            problems.push(...checkFailure(p, result.reason, version));
          }
        });
        for (const [stream, winners] of pairWinners) {
          if (winners !== 1) {
            problems.push(`round ${round}: ${winners} appends of a pair on ${stream} won`);
          }
        }
        plan.forEach((p, i) => {
          if (results[i]!.status === 'fulfilled') {
            model.get(p.stream)!.push(...p.events.map((e) => e.id!));
          }
        });
        transactions += xids.size;
      }
      reportFigures('S4', {
        groupCommitAppends: appended,
        groupCommitTransactions: transactions,
        groupCommitWrongOutcomes: problems.length,
      });
      expect(problems.slice(0, 10)).toEqual([]);
      console.info(`${appended} appends stored in ${transactions} transactions`);
      // The appends did share transactions: this was group commit, not one by one.
      expect(transactions).toBeLessThan(appended / 4);

      // A last round where two appends in one batch carry the same new event id: the
      // batch's INSERT fails as a whole, and the store must fall back to judging each
      // append alone. To other streams: one wins, the other gets DuplicateEventError. To the
      // same stream with the same content: an idempotent retry, both get the same result.
      const plan = names.flatMap((stream) => planFor(stream, model, random));
      const twins: Planned[][] = Array.from({ length: TWINS }, (_, k) => {
        const id = newEventId();
        const kind = k % 2 === 0 ? 'twin-id' : 'twin-retry';
        const streams =
          kind === 'twin-id' ? [`twin-${k}a`, `twin-${k}b`] : [`twin-${k}`, `twin-${k}`];
        for (const stream of streams) model.set(stream, []);
        return streams.map((stream) => ({ kind, stream, expected: 'any', events: [event(id)] }));
      });
      const all = [...plan, ...twins.flat()].sort(() => random() - 0.5);
      const results = await Promise.allSettled(
        all.map((p) => store.append(p.stream, p.events, { expectedVersion: p.expected })),
      );
      const outcome = new Map(all.map((p, i) => [p, results[i]!]));
      for (const p of plan) {
        const result = outcome.get(p)!;
        const version = model.get(p.stream)!.length;
        if (result.status === 'fulfilled') problems.push(...checkSuccess(p, result.value, version));
        else problems.push(...checkFailure(p, result.reason, version));
      }
      for (const p of plan) {
        if (outcome.get(p)!.status === 'fulfilled')
          model.get(p.stream)!.push(...p.events.map((e) => e.id!));
      }
      for (const [first, second] of twins as [Planned, Planned][]) {
        const a = outcome.get(first)!;
        const b = outcome.get(second)!;
        const id = first.events[0]!.id!;
        if (first.kind === 'twin-retry') {
          if (
            a.status !== 'fulfilled' ||
            b.status !== 'fulfilled' ||
            a.value.position !== b.value.position
          ) {
            problems.push(`retry twins on ${first.stream}: ${settled(a)} / ${settled(b)}`);
          }
          model.get(first.stream)!.push(id);
          continue;
        }
        const winner = a.status === 'fulfilled' ? first : second;
        const loser = outcome.get(winner === first ? second : first)!;
        const won = outcome.get(winner)!;
        if (won.status !== 'fulfilled' || won.value.streamVersion !== 1) {
          problems.push(
            `id twins on ${first.stream}/${second.stream}: neither stored (${settled(a)} / ${settled(b)})`,
          );
        } else if (
          !(
            loser.status === 'rejected' &&
            loser.reason instanceof DuplicateEventError &&
            loser.reason.eventId === id
          )
        ) {
          problems.push(
            `id twins on ${first.stream}/${second.stream}: ${settled(a)} / ${settled(b)}`,
          );
        }
        if (won.status === 'fulfilled') model.get(winner.stream)!.push(id);
      }
      expect(problems.slice(0, 10)).toEqual([]);

      names.push(...twins.flat().map((p) => p.stream));
      for (const stream of new Set(names)) {
        const stored: string[] = [];
        for await (const recorded of store.readStream(stream)) stored.push(recorded.id);
        if (stored.join() !== model.get(stream)!.join()) {
          problems.push(
            `${stream}: stored ${stored.length} events, model has ${model.get(stream)!.length}`,
          );
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
      let total = 0;
      for await (const _recorded of store.readAll()) total += 1;
      expect(total).toBe([...model.values()].reduce((sum, ids) => sum + ids.length, 0));
    } finally {
      await store.close();
      await db.dispose();
    }
  }, 120_000);
});

function planFor(stream: string, model: Map<string, string[]>, random: () => number): Planned[] {
  const ids = model.get(stream)!;
  const version = ids.length;
  const fresh = () =>
    Array.from({ length: 1 + Math.floor(random() * MAX_EVENTS_PER_APPEND) }, () =>
      event(newEventId()),
    );
  const right: ExpectedVersion =
    version === 0 ? 'no_stream' : pick(random, [version, version, 'stream_exists', 'any']);
  const roll = random();
  if (roll < WRONG_RATE) {
    const wrong: ExpectedVersion =
      version === 0
        ? pick(random, ['stream_exists', 1, 2])
        : pick(random, ['no_stream', version + 1, ...(version > 1 ? [version - 1] : [])]);
    return [{ kind: 'wrong', stream, expected: wrong, events: fresh() }];
  }
  if (roll < WRONG_RATE + DUPLICATE_ID_RATE) {
    // An id already stored elsewhere, with other data: the whole append must fail.
    const taken = [...model.values()].find((other) => other !== ids && other.length > 0)?.[0];
    if (taken !== undefined) {
      return [
        {
          kind: 'duplicate-id',
          stream,
          expected: right,
          events: [...fresh(), event(taken, 'other')],
        },
      ];
    }
  }
  if (roll < WRONG_RATE + DUPLICATE_ID_RATE + EMPTY_RATE) {
    return [{ kind: 'empty', stream, expected: right, events: [] }];
  }
  if (roll < WRONG_RATE + DUPLICATE_ID_RATE + EMPTY_RATE + PAIR_RATE) {
    const expected: ExpectedVersion = version === 0 ? 'no_stream' : version;
    return [
      { kind: 'pair', stream, expected, events: fresh() },
      { kind: 'pair', stream, expected, events: fresh() },
    ];
  }
  return [{ kind: 'right', stream, expected: right, events: fresh() }];
}

function checkSuccess(p: Planned, result: AppendResult, version: number): string[] {
  if (p.kind !== 'right' && p.kind !== 'pair') {
    return [`${p.kind} append to ${p.stream} (v${version}, expecting ${p.expected}) succeeded`];
  }
  const want = version + p.events.length;
  if (
    result.stream !== p.stream ||
    result.streamVersion !== want ||
    result.positions.length !== p.events.length
  ) {
    return [
      `append to ${p.stream} returned v${result.streamVersion} with ${result.positions.length} positions, wanted v${want}`,
    ];
  }
  return [];
}

function checkFailure(p: Planned, error: unknown, version: number): string[] {
  const where = `${p.kind} append to ${p.stream} (v${version}, expecting ${p.expected})`;
  switch (p.kind) {
    case 'wrong':
      return error instanceof ConcurrencyError &&
        error.stream === p.stream &&
        error.expected === p.expected &&
        error.actual === version
        ? []
        : [`${where} failed with ${describeError(error)}`];
    case 'pair':
      // The loser of a pair sees the winner's events.
      return error instanceof ConcurrencyError &&
        error.stream === p.stream &&
        error.expected === p.expected &&
        error.actual > version
        ? []
        : [`${where} failed with ${describeError(error)}`];
    case 'duplicate-id':
      return error instanceof DuplicateEventError && error.stream === p.stream
        ? []
        : [`${where} failed with ${describeError(error)}`];
    case 'empty':
      return error instanceof ValidationError
        ? []
        : [`${where} failed with ${describeError(error)}`];
    case 'right':
    case 'twin-id':
    case 'twin-retry':
      return [`${where} failed with ${describeError(error)}`];
  }
}

function settled(result: PromiseSettledResult<AppendResult>): string {
  return result.status === 'fulfilled'
    ? `stored at v${result.value.streamVersion} ${result.value.position}`
    : describeError(result.reason);
}

function describeError(error: unknown): string {
  if (error instanceof ConcurrencyError)
    return `ConcurrencyError(${error.stream}, ${String(error.expected)}, ${error.actual})`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function event(id: string, note = 'fresh'): NewEvent {
  return { type: 'ItemAdded', data: { note }, id };
}

function pick<T>(random: () => number, choices: readonly T[]): T {
  return choices[Math.floor(random() * choices.length)]!;
}
