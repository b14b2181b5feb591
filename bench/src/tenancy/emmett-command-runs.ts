import { CommandHandler, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { openBackendMonitor } from '../append/backend-monitor.ts';
import {
  CARTS,
  type CartState,
  COMMAND_LOOPS,
  cartStream,
  decideAddItem,
  evolveCart,
  forEachCart,
  type ItemAdded,
  initialCart,
  seedCart,
} from './cart-decider.ts';
import { measureClosedLoops } from './measure-closed-loops.ts';
import type { TenancyJob, TenancyResult } from './tenancy-config.ts';
import { attempt, tenancyLine } from './tenancy-line.ts';

type EmmettItemAdded = Event<ItemAdded['type'], ItemAdded['data']>;

/** Emmett's best append settings (STACK.md, emmett-writer.ts): a pg.Pool of 10 passed in. */
const EMMETT_POOL_SIZE = 10;

/**
 * The command shape on Emmett 0.42: its `CommandHandler` (aggregateStream, then the
 * decider, then appendToStream with the version it read) with the same decider, on its
 * PostgreSQL store in its own database (schema migrated before timing, autoMigration
 * 'None', a pool of 10), carts seeded as for Duet and ANALYZEd. Emmett has no tenant
 * isolation: one line, compared with each of Duet's.
 */
export async function runEmmettCommands(
  job: Extract<TenancyJob, { kind: 'command' }>,
  report: (result: TenancyResult) => Promise<void>,
): Promise<void> {
  const url = job.databaseUrl;
  const setup = getPostgreSQLEventStore(url);
  await setup.schema.migrate();
  await setup.close();
  const pool = new pg.Pool({ connectionString: url, max: EMMETT_POOL_SIZE });
  const store = getPostgreSQLEventStore(url, {
    schema: { autoMigration: 'None' },
    connectionOptions: { pool },
  });
  const monitor = await openBackendMonitor(url);
  try {
    const started = performance.now();
    await forEachCart(COMMAND_LOOPS, (cart) =>
      store.appendToStream<EmmettItemAdded>(cartStream(cart), seedCart(cart)),
    );
    process.stderr.write(
      `  emmett: seeded ${CARTS} carts in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    await pool.query('ANALYZE');
    const handle = CommandHandler<CartState, EmmettItemAdded>({
      evolve: evolveCart,
      initialState: initialCart,
    });
    let next = 0;
    const figures = await attempt(() =>
      measureClosedLoops({
        loops: COMMAND_LOOPS,
        warmupMs: job.warmupMs,
        measureMs: job.measureMs,
        monitor,
        step: async () => {
          const cart = next % CARTS;
          next += 1;
          const result = await handle(store, cartStream(cart), (state) =>
            decideAddItem({ cart }, state),
          );
          return result.newEvents.length;
        },
      }),
    );
    await report(
      tenancyLine(
        {
          workload: 'command',
          shape: `command-${COMMAND_LOOPS}`,
          system: 'emmett',
          executor: 'plain',
          tenants: 0,
          round: 1,
        },
        figures,
      ),
    );
  } finally {
    await monitor.close();
    await store.close();
    await pool.end();
  }
}
