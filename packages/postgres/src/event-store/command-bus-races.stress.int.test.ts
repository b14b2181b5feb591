import {
  type CommandResult,
  createCommandBus,
  type Decider,
  defineCommand,
  defineCommandHandler,
  type RecordedEvent,
  RetriesExhaustedError,
} from '@duet/core';
import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';

// Issue 13, S4 through the command bus: 64 commands at once on 4 new streams, so the first
// append of each stream is raced too (a command on an empty stream appends two events,
// Opened and Deposited, expecting no stream). The bus re-reads and decides again when an
// append loses; with 3 attempts many commands run out, with 64 every one gets through.

const COMMANDS = 64;
const STREAMS = 4;

const Deposit = defineCommand(
  'Deposit',
  z.object({ account: z.string(), cents: z.number().int().positive() }),
);
type AccountEvent =
  | { type: 'Opened'; data: { account: string } }
  | { type: 'Deposited'; data: { cents: number } };
const account: Decider<ReturnType<typeof Deposit.create>, boolean, AccountEvent> = {
  initialState: () => false,
  evolve: () => true,
  decide: (command, opened) => [
    ...(opened ? [] : [{ type: 'Opened' as const, data: { account: command.data.account } }]),
    { type: 'Deposited', data: { cents: command.data.cents } },
  ],
};

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('command bus races on PostgreSQL (issue 13, S4)', () => {
  it.each([{ maxAttempts: 3 }, { maxAttempts: COMMANDS }])(
    `given $maxAttempts attempts, when ${COMMANDS} commands race on ${STREAMS} new streams, then each success's events sit at contiguous versions after the previous one, each stream folds to exactly the successes, and every failure is a RetriesExhaustedError`,
    async ({ maxAttempts }) => {
      await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
      const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
      try {
        const bus = createCommandBus({
          store,
          maxAttempts,
          handlers: [
            defineCommandHandler({
              decider: account,
              commands: [Deposit],
              stream: (c) => `account-${c.data.account}`,
            }),
          ],
        });
        const outcomes = await Promise.allSettled(
          Array.from({ length: COMMANDS }, (_, i) =>
            bus.send(Deposit.create({ account: `a${i % STREAMS}`, cents: i + 1 })),
          ),
        );
        const successes = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        const exhausted = failures.filter((e) => e instanceof RetriesExhaustedError);

        const streams = new Map<string, RecordedEvent[]>();
        for (let s = 0; s < STREAMS; s++) {
          const events: RecordedEvent[] = [];
          for await (const event of store.readStream(`account-a${s}`)) events.push(event);
          streams.set(`account-a${s}`, events);
        }
        const stored = [...streams.values()].flat();
        const gaps = [...streams.values()].filter((events) =>
          events.some((e, i) => e.streamVersion !== i + 1),
        ).length;
        reportFigures('S4', {
          busCommands: COMMANDS,
          busSucceeded: successes.length,
          busRetriesExhausted: exhausted.length,
          busOtherErrors: failures.length - exhausted.length,
          busVersionGaps: gaps,
        });

        expect(failures.filter((e) => !(e instanceof RetriesExhaustedError))).toEqual([]);
        for (const error of exhausted) {
          expect(error).toMatchObject({
            name: 'RetriesExhaustedError',
            code: 'CONCURRENCY_RETRIES_EXHAUSTED',
            commandType: 'Deposit',
            attempts: maxAttempts,
            lastError: { name: 'ConcurrencyError' },
          });
        }
        if (maxAttempts === COMMANDS) expect(successes).toHaveLength(COMMANDS);
        else expect(exhausted.length).toBeGreaterThan(0);

        expect(gaps).toBe(0);
        // Per stream: the successes' events, in version order, are the whole stream.
        for (const [stream, events] of streams) {
          const mine = successes
            .filter((r) => r.stream === stream)
            .sort((a, b) => a.streamVersion - b.streamVersion);
          const expected = mine.flatMap((r: CommandResult) => {
            const first = r.streamVersion - r.events.length + 1;
            expect(r.events.map((e) => e.streamVersion)).toEqual(r.events.map((_, i) => first + i));
            return r.events.map((e) => e.id);
          });
          expect(events.map((e) => e.id)).toEqual(expected);
          // The fold: opened once (by the first success), one deposit per success.
          expect(events.filter((e) => e.type === 'Opened')).toHaveLength(mine.length > 0 ? 1 : 0);
          expect(events[0]?.type ?? 'Opened').toBe('Opened');
          const cents = events
            .filter((e) => e.type === 'Deposited')
            .map((e) => (e.data as { cents: number }).cents)
            .sort((a, b) => a - b);
          expect(cents).toEqual(
            mine
              .map((r) => (r.events.at(-1)!.data as { cents: number }).cents)
              .sort((a, b) => a - b),
          );
        }
        expect(stored).toHaveLength(successes.reduce((n, r) => n + r.events.length, 0));
      } finally {
        await store.close();
      }
    },
  );
});
