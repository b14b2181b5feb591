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
import { type RunnerProcess, startRunnerProcess } from './runner-process.ts';

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

/** The write side, the read side and the runner between them. */
export interface ShopFlow {
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  /** The runner's process id when it runs in a process of its own (`runnerProcess`). */
  readonly runnerPid: number | null;
  /** Events seeded and projected before the flow starts. */
  readonly history: number;
  /** Batches the runner committed, and their total milliseconds and events. */
  readonly batches: { count: number; ms: number; events: number };
  /** Round trips through each pool: store + commands, runner, queries + their waiter. */
  readonly roundTrips: () => { store: number; runner: number; queries: number };
  close(): Promise<void>;
}

/** The settings a lag line names; `where` says which process the runner is in. */
export const lagSettings = (runnerProcess: boolean) =>
  `100,000 events of history (10 per order), projected, then ANALYZE; ${runnerProcess ? 'the projection runner in a process of its own (bench/src/lag/runner-child.ts), commands and queries in the bench process' : 'one process'}; three createPgExecutor pools of 10 on the one database: store + command bus; the runner (page reads and batches); queries + waitForPosition of the same processors opened, not started, on that pool (the query bus waiter); event store defaults (group commit on); runner defaults (batchSize { min: 100, max: 5000 }, NOTIFY-driven)`;

/**
 * The shop's flow on PostgreSQL: an `AddItem` command on an order stream (the decider
 * emits the next order event), the per-stream summary projection, and an `OrderSummary`
 * query that reads it, wired for read-your-writes. With `runnerProcess` the projection
 * runner runs in a child process, as the shop's services deploy it, instead of beside the
 * commands and queries.
 */
export async function openShopFlow(
  connectionString: string,
  options: { readonly runnerProcess: boolean },
): Promise<ShopFlow> {
  const store_ = countingExecutor(createPgExecutor({ connectionString }));
  const queries_ = countingExecutor(createPgExecutor({ connectionString }));
  const storeExecutor = store_.executor;
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

  await migrate(queryExecutor, { set: 'processors' });
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
  const runner = options.runnerProcess
    ? await startRunnerProcess(connectionString, schema)
    : await startRunnerHere(connectionString, schema);
  // Queries wait on their own pool: the same processors opened there, not started.
  const queryProcessors = openProcessors({
    store: { executor: queryExecutor, schema },
    readModels: queryExecutor,
    projections: [summaryProjection],
  });
  await queryProcessors.waitForPosition({
    projections: ['order_summary'],
    minPosition: await store.headPosition(),
    tokens: [],
    timeoutMs: 300_000,
    queryType: 'history',
  });
  await storeExecutor.query('ANALYZE');
  const { tables } = await queryProcessors.readModel('order_summary');
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
    runnerPid: options.runnerProcess ? runner.pid : null,
    history,
    batches: runner.batches,
    roundTrips: () => ({
      store: store_.counts.roundTrips,
      runner: runner.roundTrips(),
      queries: queries_.counts.roundTrips,
    }),
    async close() {
      await runner.stop();
      await queryProcessors.close();
      await queryExecutor.close();
      await store.close();
      await storeExecutor.close();
    },
  };
}

/**
 * The runner in this process. It reads and commits on a pool of its own, so neither
 * queued commands nor queries waiting for a position queue in front of it: behind a queue
 * of commands' stream reads, its page reads (and so every query's wait) would queue too.
 */
async function startRunnerHere(connectionString: string, schema: string): Promise<RunnerProcess> {
  const counting = countingExecutor(createPgExecutor({ connectionString }));
  const batches = { count: 0, ms: 0, events: 0 };
  const runner: Processors = openProcessors({
    store: { executor: counting.executor, schema },
    readModels: counting.executor,
    projections: [summaryProjection],
    onBatch: (batch) => {
      batches.count += 1;
      batches.ms += batch.ms;
      batches.events += batch.applied;
    },
  });
  await runner.start();
  return {
    pid: process.pid,
    batches,
    roundTrips: () => counting.counts.roundTrips,
    async stop() {
      await runner.close();
      await counting.executor.close();
    },
  };
}
