import {
  type CommandBus,
  createCommandBus,
  createQueryBus,
  defineCommand,
  defineCommandHandler,
  defineQuery,
  defineQueryHandler,
  type QueryBus,
} from '@duet/core';
import {
  createPgExecutor,
  createPostgresEventStore,
  migrate,
  openProcessors,
  type Processors,
} from '@duet/postgres';
import { countingExecutor } from '../append/counting-executor.ts';
import { orderEvent } from '../project/order-events.ts';
import { seedEvents } from '../project/seed-events.ts';
import { summaryProjection } from '../project/summary-projection.ts';
import { objectSchema } from './object-schema.ts';

/** The orders commands go to, round robin: each comes round every 10 s at 1,000/s. */
export const ORDERS = 10_000;
/** Events already in the store before the measured flow starts (10 per order). */
export const HISTORY_EVENTS = 100_000;

export const AddItem = defineCommand(
  'AddItem',
  objectSchema<{ orderIndex: number }>({ orderIndex: 'number' }),
);

export interface OrderSummary {
  readonly events: number;
  readonly total: number;
  readonly lastVersion: number;
}

export const OrderSummaryQuery = defineQuery('OrderSummary', {
  params: objectSchema<{ stream: string }>({ stream: 'string' }),
  result: objectSchema<OrderSummary>({ events: 'number', total: 'number', lastVersion: 'number' }),
  projections: ['order_summary'],
});

/** The write side, the read side and the runner between them, in one process. */
export interface ShopFlow {
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  readonly runner: Processors;
  /** Events seeded and projected before the flow starts. */
  readonly history: number;
  /** Batches the runner committed, and their total milliseconds and events. */
  readonly batches: { count: number; ms: number; events: number };
  /** Round trips through each pool: store + commands, runner, queries + their waiter. */
  readonly roundTrips: () => { store: number; runner: number; queries: number };
  close(): Promise<void>;
}

export const LAG_SETTINGS =
  '100,000 events of history (10 per order), projected, then ANALYZE; one process; three createPgExecutor pools of 10 on the one database: store + command bus; the runner (page reads and batches); queries + waitForPosition of the same processors opened, not started, on that pool (the query bus waiter); event store defaults (group commit on); runner defaults (batchSize { min: 100, max: 5000 }, NOTIFY-driven)';

/**
 * The shop's flow on PostgreSQL: an `AddItem` command on an order stream (the decider
 * emits the next order event), the per-stream summary projection, and an `OrderSummary`
 * query that reads it, wired for read-your-writes.
 */
export async function openShopFlow(connectionString: string): Promise<ShopFlow> {
  const store_ = countingExecutor(createPgExecutor({ connectionString }));
  // The runner reads and commits on a pool of its own, so neither queued commands nor
  // queries waiting for a position (each re-reads the checkpoints on every checkpoint
  // NOTIFY) queue in front of it.
  const readModels_ = countingExecutor(createPgExecutor({ connectionString }));
  const queries_ = countingExecutor(createPgExecutor({ connectionString }));
  const storeExecutor = store_.executor;
  const readModels = readModels_.executor;
  const queryExecutor = queries_.executor;
  const schema = 'shop';
  await migrate(storeExecutor, { schema });
  const store = createPostgresEventStore({ executor: storeExecutor, schema });

  const orders = defineCommandHandler({
    decider: {
      initialState: () => 0,
      evolve: (version: number) => version + 1,
      decide: (command: ReturnType<typeof AddItem.create>, version: number) => {
        const event = orderEvent(command.data.orderIndex, version + 1);
        return [{ type: event.type, data: event.data }];
      },
    },
    commands: [AddItem],
    stream: (command) => `order-${command.data.orderIndex}`,
  });
  const commands = createCommandBus({ store, handlers: [orders] });

  const batches = { count: 0, ms: 0, events: 0 };
  await migrate(readModels, { set: 'processors' });
  const runner = openProcessors({
    // The runner reads the store through its own pool too: behind a queue of commands'
    // stream reads, its page reads (and so every query's wait) would queue as well.
    store: { executor: readModels, schema },
    readModels,
    projections: [summaryProjection],
    onBatch: (batch) => {
      batches.count += 1;
      batches.ms += batch.ms;
      batches.events += batch.applied;
    },
  });
  // A shop with history: HISTORY_EVENTS events on the same orders, projected, and the
  // database ANALYZEd (as autovacuum would have done long ago). On a fresh, unanalyzed
  // events table, appends that carry event ids (the command bus's) cost about 5x the
  // server CPU (docs/benchmarks.md, "Where the lag's time goes").
  const history = await seedEvents(
    { events: HISTORY_EVENTS, streams: ORDERS, writers: 8, appendSize: 10 },
    async (stream, batch, version) => {
      await store.append(stream, batch, { expectedVersion: version === 0 ? 'no_stream' : version });
    },
  );
  await runner.start();
  await runner.waitForPosition({
    projections: ['order_summary'],
    minPosition: await store.headPosition(),
    tokens: [],
    timeoutMs: 300_000,
    queryType: 'history',
  });
  await storeExecutor.query('ANALYZE');
  const { tables } = await runner.readModel('order_summary');
  // Queries wait on their own pool: the same processors opened there, not started.
  const queryProcessors = openProcessors({
    store: { executor: queryExecutor, schema },
    readModels: queryExecutor,
    projections: [summaryProjection],
  });
  const summaries = defineQueryHandler(OrderSummaryQuery, async ({ stream }) => {
    const { rows } = await queryExecutor.query<{
      events: number;
      total: string;
      last_version: number;
    }>(
      `SELECT events, total::text AS total, last_version FROM ${tables.name('summary')} WHERE stream = $1`,
      [stream],
    );
    const row = rows[0];
    return {
      events: row?.events ?? 0,
      total: Number(row?.total ?? 0),
      lastVersion: row?.last_version ?? 0,
    };
  });
  const queries = createQueryBus({
    handlers: [summaries],
    consistency: queryProcessors.waitForPosition,
  });

  return {
    commands,
    queries,
    runner,
    history,
    batches,
    roundTrips: () => ({
      store: store_.counts.roundTrips,
      runner: readModels_.counts.roundTrips,
      queries: queries_.counts.roundTrips,
    }),
    async close() {
      await runner.close();
      await queryProcessors.close();
      await queryExecutor.close();
      await store.close();
      await readModels.close();
      await storeExecutor.close();
    },
  };
}
