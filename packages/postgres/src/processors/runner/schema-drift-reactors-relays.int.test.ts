import {
  createEventRegistry,
  defineEvent,
  defineReactor,
  type FailurePolicy,
  type ProcessorDefinition,
  type RecordedEvent,
  type RelayDefinition,
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

// Issue 13, S7 for reactors and relays: they read and batch like projections, and an event
// they cannot decode must go down their failure policy too, never reach `handle` or
// `publish`. `Deposited` is at version 2 (v1 events are upcast). The log, in this order:
//   ok-0:    v2 { amount: 1 }, v1 { amount: 2 } (upcast: handed on with currency EUR)
//   bad:     v1 { amount: 'lots' } (upcasts, then fails the schema: undecodable)
//   mystery: Mystery v1 {} (a type the strict store registry does not know)
//   ok-1:    v2 { amount: 8 }
//   bad:     v2 { amount: 16 } (the bad stream's later event)
// The reactor `mailer` takes 'all'; the relay `to_broker` names Deposited (its own
// definition) and Mystery (left to the store's strict registry).

const Deposited = defineEvent(
  'Deposited',
  z.object({ amount: z.number().int(), currency: z.string() }),
  {
    version: 2,
    upcasters: { 1: (data) => ({ ...(data as object), currency: 'EUR' }) },
  },
);
const registry = createEventRegistry([Deposited]);

interface Log {
  readonly bad: RecordedEvent;
  readonly mystery: RecordedEvent;
}

async function writeLog(fx: RunnerFixture): Promise<Log> {
  const at = await writeDriftedLog(fx, registry, async (typed, raw) => {
    await typed.append('ok-0', [Deposited.create({ amount: 1, currency: 'USD' })]);
    await raw.append('ok-0', [{ type: 'Deposited', data: { amount: 2 } }]);
    await raw.append('bad', [{ type: 'Deposited', data: { amount: 'lots' } }]);
    await raw.append('mystery', [{ type: 'Mystery', data: {} }]);
    await typed.append('ok-1', [Deposited.create({ amount: 8, currency: 'USD' })]);
    await typed.append('bad', [Deposited.create({ amount: 16, currency: 'USD' })]);
  });
  return { bad: at('bad'), mystery: at('mystery') };
}

const line = (e: RecordedEvent) => {
  const data = e.data as { amount?: unknown; currency?: unknown };
  return `${e.stream}:${e.type}:${String(data.amount)}:${String(data.currency)}`;
};

/** The reactor and the relay, and what each handed on (per name), in order. */
function processors(onFailure: FailurePolicy) {
  const seen: Record<'mailer' | 'to_broker', string[]> = { mailer: [], to_broker: [] };
  const mailer = defineReactor({
    name: 'mailer',
    events: 'all',
    onFailure,
    async handle(event) {
      seen.mailer.push(line(event));
    },
  });
  const broker: RelayDefinition = {
    kind: 'relay',
    name: 'to_broker',
    version: 1,
    eventTypes: ['Deposited', 'Mystery'],
    eventDefinitions: [Deposited],
    partitions: 1,
    onFailure,
    async publish(events) {
      for (const event of events) seen.to_broker.push(line(event));
    },
  };
  return { list: [mailer, broker] as ProcessorDefinition[], seen };
}

const openRunner = (fx: RunnerFixture, list: ProcessorDefinition[]) =>
  openDriftRunner(fx, registry, list);

const NAMES = ['mailer', 'to_broker'] as const;
const BEFORE_BAD = ['ok-0:Deposited:1:USD', 'ok-0:Deposited:2:EUR'];

describe.each(backendsFor(inject('databaseUrl')))(
  'schema drift in reactors and relays on $kind (issue 13, S7)',
  (backend) => {
    it("given 'stop', when the log holds an undecodable payload and an unknown type, then the reactor and the relay each stop before it with an error naming the event, and after a repair stop at the next", async () => {
      await using fx = await openRunnerFixture(backend);
      const log = await writeLog(fx);
      const { list, seen } = processors('stop');
      const runner = openRunner(fx, list);
      await runner.start();
      const stopped = async (name: string, event: RecordedEvent, error: string) => {
        const status = await waitForStopAt(runner, name, event, ' at version 1) cannot be decoded');
        expect(status.error?.message).toContain(error);
      };
      for (const name of NAMES) await stopped(name, log.bad, 'amount');
      // Nothing at or after the undecodable event went out; the v1 event before it, upcast.
      expect(seen).toEqual({ mailer: BEFORE_BAD, to_broker: BEFORE_BAD });
      expect(await runner.deadLetters.list()).toEqual([]);

      await repairPayload(fx, log.bad);
      await runner.stop();
      await runner.start();
      for (const name of NAMES) await stopped(name, log.mystery, 'unknown event type: "Mystery"');
      const repaired = [...BEFORE_BAD, 'bad:Deposited:4:EUR'];
      reportFigures('S7', {
        reactorRelayDriftStops: 4,
        reactorRelayDriftPastStop:
          seen.mailer.length - repaired.length + seen.to_broker.length - repaired.length,
      });
      expect(seen).toEqual({ mailer: repaired, to_broker: repaired });
      expect(await runner.deadLetters.list()).toEqual([]);
    }, 120_000);

    it.each(['skip', 'park'] as const)(
      "given '%s', when the log holds an undecodable payload and an unknown type, then the reactor and the relay dead-letter each naming the event, never hand it on, and go on; a retry before a fix fails and keeps the letter",
      async (policy) => {
        await using fx = await openRunnerFixture(backend);
        const log = await writeLog(fx);
        const { list, seen } = processors(policy);
        const runner = openRunner(fx, list);
        await runner.start();
        await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
        const failed = (event: RecordedEvent, error: string) =>
          expectedLetter(event, policy === 'park', error);
        const handedOn = [
          ...BEFORE_BAD,
          'ok-1:Deposited:8:USD',
          // Skip goes on with the bad stream; park holds its later event back too.
          ...(policy === 'skip' ? ['bad:Deposited:16:USD'] : []),
        ];
        let letters = 0;
        for (const name of NAMES) {
          const mine = await deadLettersOf(runner, name);
          letters += mine.length;
          expect(mine.filter((l) => l.error !== 'stream is parked')).toEqual([
            failed(log.bad, 'cannot be decoded: .*amount'),
            failed(log.mystery, 'unknown event type: "Mystery"'),
          ]);
          expect(mine.filter((l) => l.error === 'stream is parked').length).toBe(
            policy === 'park' ? 1 : 0,
          );
          expect(seen[name].toSorted()).toEqual(handedOn.toSorted());
        }
        reportFigures('S7', {
          [`reactorRelayDriftDeadLetters${policy === 'skip' ? 'Skip' : 'Park'}`]: letters,
          reactorRelayDriftUndecodableHandedOn: Object.values(seen)
            .flat()
            .filter((l) => l.startsWith('bad:Deposited:lots') || l.startsWith('mystery')).length,
        });

        for (const name of NAMES) {
          const letter = (await runner.deadLetters.list(name)).find(
            (l) => l.event.id === log.mystery.id,
          )!;
          await expect(runner.deadLetters.retry(letter.id)).rejects.toThrow(
            'unknown event type: "Mystery"',
          );
          expect((await runner.deadLetters.list(name)).map((l) => l.id)).toContain(letter.id);
        }
        expect(seen.mailer.some((l) => l.startsWith('mystery'))).toBe(false);
        expect(seen.to_broker.some((l) => l.startsWith('mystery'))).toBe(false);
      },
      120_000,
    );
  },
);
