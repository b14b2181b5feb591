// The examples of docs/projections.md are cut from the regions below, and the tests run
// them on PGlite (issue 15: docs that cannot go stale). Keep the prose there in step.
import {
  createCommandBus,
  createQueryBus,
  type Decider,
  defineCommand,
  defineCommandHandler,
  defineEvent,
  defineProjection,
  defineQuery,
  defineQueryHandler,
  type RecordedEvent,
} from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { waitForStatus } from '../../test-support/processor-runner.ts';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import { migrate } from '../migrations/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../testing/open-test-database.ts';
import { projectionSpec } from '../testing/projection-spec.ts';
import { openProcessors, type Processors } from './open-processors.ts';

const OrderPlaced = defineEvent('OrderPlaced', z.object({ total: z.number().int() }));
type OrderHistoryEvent =
  | { type: 'OrderPlaced'; data: { total: number } }
  | { type: 'OrderCancelled'; data: Record<string, never> };

// #region define-projection
export const orderHistory = defineProjection<RecordedEvent<OrderHistoryEvent>>({
  name: 'order_history', // lower case, digits, single underscores; names the tables
  version: 1, // bump to rebuild beside the serving version (blue-green)
  events: [OrderPlaced, 'OrderCancelled'], // definitions (upcast on read) or type names
  partitions: 1, // split by a stable hash of the stream name (default 1)
  onFailure: 'stop', // or 'skip' / 'park' (see Failures)
  async setup(tx, tables) {
    await tx.query(`CREATE TABLE ${tables.name('orders')} (
      id text PRIMARY KEY, total integer NOT NULL, cancelled boolean NOT NULL DEFAULT false)`);
  },
  async apply(tx, events, tables) {
    for (const event of events) {
      if (event.type === 'OrderPlaced') {
        await tx.query(`INSERT INTO ${tables.name('orders')} (id, total) VALUES ($1, $2)`, [
          event.stream,
          event.data.total,
        ]);
      } else {
        await tx.query(`UPDATE ${tables.name('orders')} SET cancelled = true WHERE id = $1`, [
          event.stream,
        ]);
      }
    }
  },
});
// #endregion define-projection

// The write side the read-your-writes example sends to: PlaceOrder becomes OrderPlaced.
const PlaceOrder = defineCommand(
  'PlaceOrder',
  z.object({ orderId: z.string(), total: z.number().int() }),
);
type PlaceOrderCommand = ReturnType<typeof PlaceOrder.create>;
const placing: Decider<PlaceOrderCommand, null, OrderHistoryEvent> = {
  initialState: () => null,
  evolve: (state) => state,
  decide: (command) => [{ type: 'OrderPlaced', data: { total: command.data.total } }],
};
const OrderById = defineQuery('OrderById', {
  params: z.object({ id: z.string() }),
  result: z.object({ total: z.number(), cancelled: z.boolean() }).nullable(),
  projections: ['order_history'], // what read-your-writes waits for
});
function orderByIdHandler(processors: Processors) {
  return defineQueryHandler(OrderById, async ({ id }) => {
    const { tables, executor } = await processors.readModel('order_history');
    const { rows } = await executor.query<{ total: number; cancelled: boolean }>(
      `SELECT total, cancelled FROM ${tables.name('orders')} WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  });
}

describe('docs/projections.md, as written', () => {
  const opened: TestDatabase[] = [];
  const open = async () => {
    const db = await openTestDatabase({ kind: 'pglite' });
    opened.push(db);
    return db;
  };
  // Opening PGlite takes seconds on a loaded machine: once, before the tests' clocks run.
  beforeAll(open);
  afterAll(async () => {
    for (const db of opened) await db.dispose();
  });

  it('given the order history, when run, then orders land in its table, status and an observer report it live, and queries read their writes', async () => {
    // The guide's fixed schema names: this file's PGlite holds them once.
    const db = await open();
    const storeExecutor = db.executor;
    const readModelExecutor = db.executor; // another database in production; one PGlite here
    await migrate(storeExecutor, { schema: 'orders' });
    const store = createPostgresEventStore({ executor: storeExecutor, schema: 'orders' });
    try {
      // #region run-it
      // The runner's tables come from their own migrations, in the read-model database.
      await migrate(readModelExecutor, { schema: 'duet_projections', set: 'processors' });
      await using processors = openProcessors({
        store: { executor: storeExecutor, schema: 'orders' }, // where the events are
        readModels: readModelExecutor, // default: the store's executor
        schema: 'duet_projections', // the runner's own tables, in the read-model database
        readModelSchema: 'read_models', // where projections' tables go
        processors: [orderHistory], // projections, reactors and relays
        batchSize: { min: 100, max: 5000 },
        // leases: { connectionString }, // PostgreSQL only: share partitions among processes
      });
      await processors.start();
      // #endregion run-it

      await store.append('order-1', [OrderPlaced.create({ total: 30 })]);
      await store.append('order-2', [OrderPlaced.create({ total: 12 })]);
      const { position: head } = await store.append('order-2', [
        { type: 'OrderCancelled', data: {} },
      ]);
      await waitForStatus(processors, (s) => s.state === 'live' && s.position === head);

      // #region status-row
      const [row] = await processors.status();
      expect(row).toMatchObject({
        name: 'order_history',
        version: 1,
        partition: 0,
        partitions: 1,
        active: true,
        state: 'live', // 'catching_up' | 'live' | 'rebuilding' | 'stopped' | 'failed' | 'paused'
        position: head, // the checkpoint: every event up to here is applied
        head, // the store's last committed event
        lagEvents: 0, // events of its types after the checkpoint
        lagMs: 0, // the oldest of those events' age
        health: 'healthy', // 'healthy' | 'stalled' | 'stopped' | 'paused' (see below)
        stuckMs: 0, // how long the position has not moved while events waited
        applied: 3, // events this version applied so far
        owned: true, // this runner works the partition
      });
      // When they apply: `reason` (not healthy), `ownedBy` and `batchSize` (a runner works
      // it), `heldBy: { pid, transactionId, ageMs }` (committed events wait behind an open
      // transaction), `paused: { at, by }`, `rebuild: { eventsDone, eventsPerSec, etaSeconds }`,
      // `error: { message, eventId, eventPosition, stream, type }` (state 'failed'), and
      // `lastError` (what it retries after).
      // #endregion status-row

      const executor = storeExecutor;
      const readModels = readModelExecutor;
      // #region observer
      await using observer = openProcessors({
        store: { executor, schema: 'orders' }, // head and lag
        readModels, // default: the store's executor
        schema: 'duet_projections',
        processors: [orderHistory], // names, and event types for the lag
      });
      const statuses = await observer.status();
      // #endregion observer
      expect(statuses.map((s) => [s.name, s.state, s.owned])).toEqual([
        ['order_history', 'live', false],
      ]);

      const handlers = [orderByIdHandler(processors)];
      const commands = createCommandBus({
        store,
        handlers: [
          defineCommandHandler({
            decider: placing,
            commands: [PlaceOrder],
            stream: (c) => `order-${c.data.orderId}`,
          }),
        ],
      });
      const placeOrder = PlaceOrder.create({ orderId: '7', total: 30 });
      // #region read-your-writes
      const queries = createQueryBus({ handlers, consistency: processors.waitForPosition });
      const { position } = await commands.send(placeOrder); // order-7
      const order = await queries.ask(
        OrderById,
        { id: 'order-7' },
        { consistency: { minPosition: position } }, // waits until order_history has it
      );
      // #endregion read-your-writes
      expect(order).toEqual({ total: 30, cancelled: false });

      // A request nobody takes stays pending: this runner stops first.
      await processors.stop();
      // #region rebuild-request
      const requests = processors.rebuildRequests;
      const { id } = await requests.request('order_history'); // row + NOTIFY on duet_projections_control
      const state = (await requests.get(id))?.state; // 'pending' | 'done' (reset, now replaying) | 'failed' (see error)
      const withdrawn = await requests.withdraw(id); // only while pending: nobody took it
      // #endregion rebuild-request
      expect([state, withdrawn]).toEqual(['pending', true]);
      expect((await requests.get(id))?.state).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('given an event apply fails on, under skip, when fixed and retried, then the dead letter reaches the read model', async () => {
    const db = await open();
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    let fixed = false; // stands for the code fix a dead letter waits for
    const failing = defineProjection<RecordedEvent<OrderHistoryEvent>>({
      name: 'order_history',
      version: 1,
      events: [OrderPlaced, 'OrderCancelled'],
      onFailure: 'skip',
      setup: (tx, tables) => orderHistory.setup(tx, tables),
      async apply(tx, events, tables) {
        if (!fixed && events.some((e) => e.type === 'OrderPlaced' && e.data.total < 0)) {
          throw new Error('a negative total');
        }
        await orderHistory.apply(tx, events, tables);
      },
    });
    await migrate(db.executor, { schema: `${db.schema}_p`, set: 'processors' });
    await using processors = openProcessors({
      store: { executor: db.executor, schema: db.schema },
      schema: `${db.schema}_p`,
      readModelSchema: `${db.schema}_r`,
      processors: [failing],
      retry: { attempts: 1, backoffMs: 1 },
    });
    await processors.start();
    await store.append('order-1', [OrderPlaced.create({ total: 5 })]);
    const { position: head } = await store.append('order-2', [OrderPlaced.create({ total: -1 })]);
    await waitForStatus(processors, (s) => s.position === head);
    fixed = true;

    // #region dead-letters
    const letters = await processors.deadLetters.list('order_history'); // [{ id, event, error, parked, ... }]
    await processors.deadLetters.retry('order_history'); // or one id; after the fix
    // #endregion dead-letters
    expect(letters.map((letter) => letter.event.stream)).toEqual(['order-2']);
    expect(await processors.deadLetters.list('order_history')).toEqual([]);
    const { tables, executor } = await processors.readModel('order_history');
    const { rows } = await executor.query(
      `SELECT id, total FROM ${tables.name('orders')} ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'order-1', total: 5 },
      { id: 'order-2', total: -1 },
    ]);
    await store.close();
  });

  it('given the two migration sets, when run, then the store and the runner each get their tables in their own schema', async () => {
    const db = await open();
    const executor = db.executor;
    const readModels = db.executor; // the read-model database; the same PGlite here
    // #region migrate-sets
    await migrate(executor, { schema: 'shop' });
    await migrate(readModels, { schema: 'duet_projections', set: 'processors' });
    // #endregion migrate-sets
    const { rows } = await executor.query<{ schema: string; table: string }>(
      `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
        WHERE table_schema IN ('shop', 'duet_projections') AND table_name IN ('events', 'checkpoints')
        ORDER BY 1, 2`,
    );
    expect(rows).toEqual([
      { schema: 'duet_projections', table: 'checkpoints' },
      { schema: 'shop', table: 'checkpoints' },
      { schema: 'shop', table: 'events' },
    ]);
  });

  it('given events, when the projection spec applies them, then its rows are as expected', async () => {
    const events = [
      { type: 'OrderPlaced', data: { total: 30 }, stream: 'order-1' },
      { type: 'OrderPlaced', data: { total: 12 }, stream: 'order-2' },
    ];
    // #region projection-spec
    await projectionSpec(orderHistory)
      .given([{ type: 'OrderPlaced', data: { total: 30 }, stream: 'order-1' }])
      .thenRows((t) => `SELECT id, total FROM ${t.name('orders')}`, [{ id: 'order-1', total: 30 }]);

    await projectionSpec(orderHistory)
      .given(events)
      .then(async (tables, query) => {
        expect(await query(`SELECT count(*)::int AS n FROM ${tables.name('orders')}`)).toEqual([
          { n: 2 },
        ]);
      });
    // #endregion projection-spec
  });
});
