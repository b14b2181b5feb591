import {
  defineProjection,
  defineReactor,
  type FailurePolicy,
  type Position,
  type RecordedEvent,
  type RelayDefinition,
  START_POSITION,
  UnavailableError,
} from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import {
  backendsFor,
  openRunnerFixture,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';

// Reactors, relays, `events: 'all'` and projections without setup, run by the same runner
// as projections (issue #6, section 1).

/** A relay as the NATS relay will make one: publish resolves after the broker's acks. */
function relay(
  publish: RelayDefinition['publish'],
  onFailure: FailurePolicy = 'stop',
): RelayDefinition {
  return {
    kind: 'relay',
    name: 'to_broker',
    version: 1,
    eventTypes: ['Deposited'],
    eventDefinitions: [],
    partitions: 1,
    onFailure,
    publish,
  };
}

const count = async (fx: { readonly executor: SqlExecutor }, sql: string) => {
  const { rows } = await fx.executor.query<{ n: string }>(sql);
  return Number(rows[0]?.n);
};

describe.each(backendsFor(inject('databaseUrl')))('processor kinds on $kind', (backend) => {
  it('given a reactor whose handler fails once mid-batch, then the batch rolls back and every event is handled once, with its inbox row; a rebuild handles none again', async () => {
    await using fx = await openRunnerFixture(backend);
    const effects = `"${fx.readModelSchema}".effects`;
    await fx.executor.query(`CREATE SCHEMA IF NOT EXISTS "${fx.readModelSchema}"`);
    await fx.executor.query(`CREATE TABLE ${effects} (event_id text PRIMARY KEY)`);
    await fx.deposit(40, 4);
    let failedOnce = false;
    let handled = 0;
    const reactor = defineReactor({
      name: 'mailer',
      events: ['Deposited'],
      async handle(event, { tx }) {
        handled++;
        await tx.query(`INSERT INTO ${effects} (event_id) VALUES ($1)`, [event.id]);
        if ((event.data as { amount: number }).amount === 25 && !failedOnce) {
          failedOnce = true;
          throw new Error('smtp hiccup');
        }
      },
    });
    const runner = fx.runner([reactor], { batchSize: { min: 16, max: 16 } });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(failedOnce).toBe(true);
    expect(await count(fx, `SELECT count(*)::text AS n FROM ${effects}`)).toBe(40);
    const inbox = `"${fx.runnerSchema}".reactor_inbox`;
    expect(
      await count(
        fx,
        `SELECT count(*)::text AS n FROM ${inbox} AS i JOIN ${effects} AS e USING (event_id)
          WHERE i.name = 'mailer' AND i.version = 1`,
      ),
    ).toBe(40);
    expect(await runner.deadLetters.list()).toEqual([]);

    const before = handled;
    await runner.rebuild('mailer');
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(handled).toBe(before);
    expect(await count(fx, `SELECT count(*)::text AS n FROM ${effects}`)).toBe(40);
  });

  it('given a relay whose broker is down for 4 publishes, then its checkpoint stays until a publish is acked and nothing is dead-lettered', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(30, 3);
    let failures = 4;
    const seenAt: Position[] = [];
    const published: string[] = [];
    const checkpoint = async () => {
      const { rows } = await fx.executor.query<{ position: Position }>(
        `SELECT position FROM "${fx.runnerSchema}".checkpoints WHERE name = 'to_broker'`,
      );
      return rows[0]!.position;
    };
    const runner = fx.runner(
      [
        relay(async (events) => {
          if (failures > 0) {
            seenAt.push(await checkpoint());
            failures--;
            throw new UnavailableError('nats', 'not connected');
          }
          published.push(...events.map((event) => event.id));
        }, 'skip'),
      ],
      { retry: { attempts: 3, backoffMs: 5 } },
    );
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(failures).toBe(0);
    expect(seenAt).toEqual([START_POSITION, START_POSITION, START_POSITION, START_POSITION]);
    expect(published).toHaveLength(30);
    expect(new Set(published).size).toBe(30);
    expect(await runner.deadLetters.list()).toEqual([]);
  });

  it('given a relay that is down, then status shows the last error while its state stays out of failed', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(5, 1);
    let up = false;
    const runner = fx.runner([
      relay(async () => {
        if (!up) throw new UnavailableError('nats', 'not connected');
      }),
    ]);
    await runner.start();
    const [waiting] = await waitForStatus(runner, (s) => s.lastError !== undefined);
    expect(waiting).toMatchObject({ lastError: 'nats: not connected', position: START_POSITION });
    expect(waiting?.state).not.toBe('failed');
    up = true;
    const [live] = await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(live?.lastError).toBeUndefined();
  });

  it('given a reactor and a relay that skip a poisoned event, when their dead letters are retried after the fix, then each handles it', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(12, 3, 1, true);
    let poisoned = true;
    const isPoison = (event: RecordedEvent) =>
      poisoned && (event.data as { amount: number }).amount === 7;
    const sent = `"${fx.readModelSchema}".sent`;
    await fx.executor.query(`CREATE SCHEMA IF NOT EXISTS "${fx.readModelSchema}"`);
    await fx.executor.query(`CREATE TABLE ${sent} (amount integer PRIMARY KEY)`);
    const published = new Set<number>();
    const reactor = defineReactor({
      name: 'mailer',
      events: ['Deposited'],
      onFailure: 'skip',
      async handle(event, { tx }) {
        if (isPoison(event)) throw new Error('bad address');
        await tx.query(`INSERT INTO ${sent} VALUES ($1)`, [
          (event.data as { amount: number }).amount,
        ]);
      },
    });
    const broker = relay(async (events) => {
      if (events.some(isPoison)) throw new Error('too large');
      for (const event of events) published.add((event.data as { amount: number }).amount);
    }, 'skip');
    const runner = fx.runner([reactor, broker], { batchSize: { min: 4, max: 4 } });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect((await runner.deadLetters.list()).map((l) => l.name).sort()).toEqual([
      'mailer',
      'to_broker',
    ]);
    poisoned = false;
    expect(await runner.deadLetters.retry('mailer')).toBe(1);
    expect(await runner.deadLetters.retry('to_broker')).toBe(1);
    expect(await count(fx, `SELECT count(*)::text AS n FROM ${sent}`)).toBe(12);
    expect([...published].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(
      await count(fx, `SELECT count(*)::text AS n FROM "${fx.runnerSchema}".reactor_inbox`),
    ).toBe(12);
  });

  it("given events: 'all' on two partitions and a projection without setup, then every event of every type is applied", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(20, 5);
    await fx.store.append('note-1', [{ type: 'NoteTaken', data: { text: 'hello' } }]);
    const everything = defineProjection({
      name: 'everything',
      events: 'all',
      partitions: 2,
      async setup(tx, t) {
        await tx.query(`CREATE TABLE ${t.name('seen')} (event_id text PRIMARY KEY, type text)`);
      },
      async apply(tx, events, t) {
        for (const event of events) {
          await tx.query(`INSERT INTO ${t.name('seen')} VALUES ($1, $2)`, [event.id, event.type]);
        }
      },
    });
    const tally = `"${fx.readModelSchema}".tally`;
    await fx.executor.query(`CREATE SCHEMA IF NOT EXISTS "${fx.readModelSchema}"`);
    await fx.executor.query(`CREATE TABLE ${tally} (type text PRIMARY KEY, n integer NOT NULL)`);
    const noSetup = defineProjection({
      name: 'tally',
      events: 'all',
      async apply(tx, events) {
        for (const event of events) {
          await tx.query(
            `INSERT INTO ${tally} AS t VALUES ($1, 1) ON CONFLICT (type) DO UPDATE SET n = t.n + 1`,
            [event.type],
          );
        }
      },
    });
    const runner = fx.runner([everything, noSetup]);
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const { tables } = await runner.readModel('everything');
    expect(await count(fx, `SELECT count(*)::text AS n FROM ${tables.name('seen')}`)).toBe(21);
    const { rows } = await fx.executor.query(`SELECT type, n FROM ${tally} ORDER BY type`);
    expect(rows).toEqual([
      { type: 'Deposited', n: 20 },
      { type: 'NoteTaken', n: 1 },
    ]);
  });
});
