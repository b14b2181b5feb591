import {
  createEventRegistry,
  defineEvent,
  defineProjection,
  type FailurePolicy,
  type RecordedEvent,
} from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { reportFigures } from '../../../../../scripts/reliability/report-figures.ts';
import {
  backendsFor,
  openRunnerFixture,
  type RunnerFixture,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import {
  deadLettersOf,
  expectedLetter,
  openDriftRunner,
  repairPayload,
  waitForStopAt,
  writeDriftedLog,
} from '../../../test-support/schema-drift.ts';

// Issue 13, S7: poison events and schema drift. `Deposited` is at version 2 (a currency
// added; v1 events are upcast). The log holds, in this order:
//   ok-0:      v2 { amount: 1 }, v1 { amount: 2 } (upcast: applied with currency EUR)
//   bad:       v1 { amount: 'lots' } (upcasts, then fails the schema: undecodable)
//   ok-1:      v2 { amount: 8 }
//   throw:     v1 {} (the upcaster throws until it is fixed)
//   ok-1:      Withdrawn v1 { amount: 1 } (a known type `deposits` does not subscribe to)
//   mystery:   Mystery v1 {} (a type the strict store registry does not know)
//   bad:       v2 { amount: 16 } (the bad stream's later event)
// `deposits` subscribes to Deposited; `journal` to 'all', under the strict registry.

let upcasterFixed = false;
const Deposited = defineEvent(
  'Deposited',
  z.object({ amount: z.number().int(), currency: z.string() }),
  {
    version: 2,
    upcasters: {
      1: (data) => {
        const v1 = data as { amount?: unknown };
        if (v1.amount === undefined && !upcasterFixed)
          throw new Error('v1 Deposited without amount');
        return { amount: v1.amount ?? 32, currency: 'EUR' };
      },
    },
  },
);
const Withdrawn = defineEvent('Withdrawn', z.object({ amount: z.number().int() }));
const registry = createEventRegistry([Deposited, Withdrawn]);

interface Log {
  readonly bad: RecordedEvent;
  readonly throws: RecordedEvent;
  readonly mystery: RecordedEvent;
}

/** Writes the log: through a store with the registry where it allows, without it where not. */
async function writeLog(fx: RunnerFixture): Promise<Log> {
  const at = await writeDriftedLog(fx, registry, async (typed, raw) => {
    await typed.append('ok-0', [Deposited.create({ amount: 1, currency: 'USD' })]);
    await raw.append('ok-0', [{ type: 'Deposited', data: { amount: 2 } }]);
    await raw.append('bad', [{ type: 'Deposited', data: { amount: 'lots' } }]);
    await typed.append('ok-1', [Deposited.create({ amount: 8, currency: 'USD' })]);
    await raw.append('throw', [{ type: 'Deposited', data: {} }]);
    await typed.append('ok-1', [Withdrawn.create({ amount: 1 })]);
    await raw.append('mystery', [{ type: 'Mystery', data: {} }]);
    await raw.append('bad', [{ type: 'Deposited', data: { amount: 16 } }]);
  });
  return { bad: at('bad'), throws: at('throw'), mystery: at('mystery') };
}

function projections(onFailure: FailurePolicy) {
  const table = (name: string) =>
    `CREATE TABLE ${name} (event_id text PRIMARY KEY, stream text, type text, amount bigint, currency text)`;
  const insert = (
    tx: { query: (sql: string, p: unknown[]) => Promise<unknown> },
    name: string,
    events: readonly RecordedEvent[],
  ) =>
    tx.query(
      `INSERT INTO ${name} SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(event_id text, stream text, type text, amount bigint, currency text)`,
      [
        JSON.stringify(
          events.map((e) => {
            const data = e.data as { amount?: number; currency?: string };
            return {
              event_id: e.id,
              stream: e.stream,
              type: e.type,
              amount: data.amount ?? null,
              currency: data.currency ?? null,
            };
          }),
        ),
      ],
    );
  return [
    defineProjection({
      name: 'deposits',
      events: [Deposited],
      onFailure,
      setup: (tx, t) => tx.query(table(t.name('rows'))).then(() => {}),
      apply: (tx, events, t) => insert(tx, t.name('rows'), events).then(() => {}),
    }),
    defineProjection({
      name: 'journal',
      events: 'all',
      onFailure,
      setup: (tx, t) => tx.query(table(t.name('rows'))).then(() => {}),
      apply: (tx, events, t) => insert(tx, t.name('rows'), events).then(() => {}),
    }),
  ];
}

async function rows(runner: ReturnType<RunnerFixture['runner']>, name: string) {
  const { tables, executor } = await runner.readModel(name);
  const { rows } = await executor.query<{
    stream: string;
    type: string;
    amount: string | null;
    currency: string | null;
  }>(
    `SELECT stream, type, amount::text AS amount, currency FROM ${tables.name('rows')} ORDER BY stream, amount`,
  );
  return rows.map((r) => `${r.stream}:${r.type}:${r.amount}:${r.currency}`);
}

// The fold of the fixed log, per projection.
const DEPOSITS = [
  'bad:Deposited:4:EUR',
  'bad:Deposited:16:EUR',
  'ok-0:Deposited:1:USD',
  'ok-0:Deposited:2:EUR',
  'ok-1:Deposited:8:USD',
  'throw:Deposited:32:EUR',
];
const JOURNAL = [...DEPOSITS.slice(0, 5), 'ok-1:Withdrawn:1:null', 'throw:Deposited:32:EUR'];

function openRunner(fx: RunnerFixture, onFailure: FailurePolicy) {
  upcasterFixed = false;
  return openDriftRunner(fx, registry, projections(onFailure));
}

describe.each(backendsFor(inject('databaseUrl')))(
  'schema drift on $kind (issue 13, S7)',
  (backend) => {
    it("given 'stop', when the log holds an undecodable payload, a throwing upcaster and an unknown type, then each stops its partition before it with an error naming the event; after each fix a restart goes on to the fold", async () => {
      await using fx = await openRunnerFixture(backend);
      const log = await writeLog(fx);
      const runner = openRunner(fx, 'stop');
      await runner.start();
      // After a restart the row still says 'failed' at the old event until the run moves on.
      const stopped = (name: string, event: RecordedEvent) => waitForStopAt(runner, name, event);
      const first = await stopped('deposits', log.bad);
      expect(first.error?.message).toContain('cannot be decoded');
      await stopped('journal', log.bad);
      // Nothing at or after the undecodable event is applied; the v1 event before it is upcast.
      expect(await rows(runner, 'deposits')).toEqual([
        'ok-0:Deposited:1:USD',
        'ok-0:Deposited:2:EUR',
      ]);
      expect(await runner.deadLetters.list()).toEqual([]);

      await repairPayload(fx, log.bad);
      await runner.stop();
      await runner.start();
      expect((await stopped('deposits', log.throws)).error?.message).toContain(
        'v1 Deposited without amount',
      );
      await stopped('journal', log.throws);

      upcasterFixed = true;
      await runner.stop();
      await runner.start();
      await waitForStatus(
        runner,
        (s) => s.state === 'live' && s.lagEvents === 0,
        20_000,
        'deposits',
      );
      const unknown = await stopped('journal', log.mystery);
      expect(unknown.error?.message).toContain('unknown event type: "Mystery"');
      reportFigures('S7', { driftStopsNamedEvent: 5, driftAppliedPastStop: 0 });
      expect((await rows(runner, 'deposits')).sort()).toEqual([...DEPOSITS].sort());
    }, 120_000);

    it.each(['skip', 'park'] as const)(
      "given '%s', when the log holds an undecodable payload, a throwing upcaster and an unknown type, then each is dead-lettered naming the event, never applied, and the runner goes on; after the fixes a retry completes the fold",
      async (policy) => {
        await using fx = await openRunnerFixture(backend);
        const log = await writeLog(fx);
        const runner = openRunner(fx, policy);
        await runner.start();
        await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
        const letters = (name: string) => deadLettersOf(runner, name);
        const failed = (event: RecordedEvent, error: string) =>
          expectedLetter(event, policy === 'park', error);
        const letterOf = async (event: RecordedEvent, name = 'deposits') =>
          (await runner.deadLetters.list(name)).find((l) => l.event.id === event.id)!.id;
        // Park holds the bad stream's later event back too; skip applies it.
        const laterBad = (await runner.deadLetters.list('deposits')).length === 3;
        expect(laterBad).toBe(policy === 'park');
        const expectedDeposits = [
          failed(log.bad, 'cannot be decoded: .*amount'),
          failed(log.throws, 'v1 Deposited without amount'),
        ];
        const mine = await letters('deposits');
        expect(mine.filter((l) => l.error !== 'stream is parked')).toEqual(expectedDeposits);
        const journal = await letters('journal');
        expect(journal.filter((l) => l.error !== 'stream is parked')).toEqual([
          ...expectedDeposits,
          failed(log.mystery, 'unknown event type: "Mystery"'),
        ]);
        // Applied: everything else; the unsubscribed Withdrawn skipped silently by deposits.
        const applied = await rows(runner, 'deposits');
        expect(applied).toEqual(
          ['ok-0:Deposited:1:USD', 'ok-0:Deposited:2:EUR', 'ok-1:Deposited:8:USD']
            .concat(policy === 'skip' ? ['bad:Deposited:16:EUR'] : [])
            .sort(),
        );
        reportFigures('S7', {
          [`driftDeadLetters${policy === 'skip' ? 'Skip' : 'Park'}`]: mine.length + journal.length,
          driftUndecodableApplied: applied.some((r) => r.startsWith('bad:Deposited:null')) ? 1 : 0,
        });

        // A retry before the fix fails and leaves the letters; after it, the fold completes.
        await expect(runner.deadLetters.retry(await letterOf(log.bad))).rejects.toThrow(
          'cannot be decoded',
        );
        // The dead letter holds the payload as read: no repair of the row reaches it, so the
        // operator skips it; the upcaster's fix does reach the retry, which decodes again.
        expect(await runner.deadLetters.skip(await letterOf(log.bad))).toBe(1);
        expect(await runner.deadLetters.skip(await letterOf(log.bad, 'journal'))).toBe(1);
        upcasterFixed = true;
        const mysteryLetter = (await runner.deadLetters.list('journal')).find(
          (l) => l.event.id === log.mystery.id,
        )!;
        expect(await runner.deadLetters.skip(mysteryLetter.id)).toBe(1);
        await runner.deadLetters.retry('deposits');
        await runner.deadLetters.retry('journal');
        expect(await runner.deadLetters.list()).toEqual([]);
        const unrepaired = (fold: string[]) =>
          fold.filter((row) => row !== 'bad:Deposited:4:EUR').sort();
        expect((await rows(runner, 'deposits')).sort()).toEqual(unrepaired(DEPOSITS));
        expect((await rows(runner, 'journal')).sort()).toEqual(unrepaired(JOURNAL));
      },
      120_000,
    );
  },
);
