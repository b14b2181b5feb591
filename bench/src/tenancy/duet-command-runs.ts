import {
  createCommandBus,
  defineCommand,
  defineCommandHandler,
  newEventId,
  runInTenant,
} from '@duet/core';
import {
  createPgExecutor,
  createPostgresEventStore,
  isolateTenants,
  migrate,
  type PostgresEventStore,
  type SqlExecutor,
} from '@duet/postgres';
import { openBackendMonitor } from '../append/backend-monitor.ts';
import { countingExecutor, type ExecutorCounts } from '../append/counting-executor.ts';
import { objectSchema } from '../lag/object-schema.ts';
import {
  type AddItemCommand,
  CARTS,
  COMMAND_LOOPS,
  cartStream,
  decideAddItem,
  evolveCart,
  forEachCart,
  initialCart,
  seedCart,
} from './cart-decider.ts';
import { measureClosedLoops } from './measure-closed-loops.ts';
import type { ExecutorKind, TenancyJob, TenancyResult } from './tenancy-config.ts';
import { attempt, tenancyLine } from './tenancy-line.ts';
import { tenantName } from './tenant-name.ts';

const AddItem = defineCommand('AddItem', objectSchema<AddItemCommand>({ cart: 'number' }));

/**
 * How a command reaches the store: through the command bus (since issue 14 it sends no
 * event ids: the store makes them and names them in the append's result), or by hand with
 * the same decider (read the stream, fold, decide, append), without ids or with fresh ids
 * (as the bus sent them before): the gap between the two by-hand lines is what sending ids
 * costs; between by hand without ids and the bus, what the bus adds on top.
 */
type Path = 'bus' | 'by-hand' | 'by-hand-ids';

interface Variant {
  readonly path: Path;
  /**
   * The store's batched stream reads off (`readBatch: { enabled: false }`): each command's
   * load is a statement of its own, as before issue 14's read batches. The line beside the
   * bus's shows what the batches gain in the same run.
   */
  readonly readsAlone?: boolean;
  readonly kind: ExecutorKind;
  readonly tenants: number;
  readonly executor: SqlExecutor;
  readonly counts: ExecutorCounts;
  readonly schema: string;
}

/**
 * The command shape on Duet: `COMMAND_LOOPS` concurrent commands round robin over `CARTS`
 * carts (seeded, then ANALYZE), through the command bus on the plain executor and on
 * `isolateTenants` for each tenant count (cart `i` belongs to tenant `t<i mod N>`, the bus
 * runs the command as that tenant), and by hand on the plain executor. One process, one
 * database, a schema per line.
 */
export async function runDuetCommands(
  job: Extract<TenancyJob, { kind: 'command' }>,
  report: (result: TenancyResult) => Promise<void>,
): Promise<void> {
  const plain = countingExecutor(createPgExecutor({ connectionString: job.databaseUrl }));
  const base = countingExecutor(createPgExecutor({ connectionString: job.databaseUrl }));
  const isolated = isolateTenants(base.executor);
  const plainVariant = (path: Path): Variant => ({
    path,
    kind: 'plain',
    tenants: 0,
    ...plain,
    schema: `cmd_plain_${path.replaceAll('-', '_')}`,
  });
  const variants: Variant[] = [
    plainVariant('bus'),
    { ...plainVariant('bus'), readsAlone: true, schema: 'cmd_plain_bus_reads_alone' },
    ...job.tenants.map(
      (tenants): Variant => ({
        path: 'bus',
        kind: 'isolated',
        tenants,
        executor: isolated,
        counts: base.counts,
        schema: `cmd_isolated_t${tenants}`,
      }),
    ),
    plainVariant('by-hand'),
    plainVariant('by-hand-ids'),
  ];
  for (const variant of variants) {
    await migrate(variant.kind === 'plain' ? plain.executor : base.executor, {
      schema: variant.schema,
    });
    const store = createPostgresEventStore({ executor: variant.executor, schema: variant.schema });
    const started = performance.now();
    await forEachCart(COMMAND_LOOPS, (cart) =>
      inTenantOfCart(variant, cart, () =>
        store.append(cartStream(cart), seedCart(cart), { expectedVersion: 'no_stream' }),
      ),
    );
    await store.close();
    process.stderr.write(
      `  duet: seeded ${CARTS} carts in ${variant.schema} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
  // As autovacuum would have long ago on a store with history (see the lag bench).
  await plain.executor.query('ANALYZE');

  const monitor = await openBackendMonitor(job.databaseUrl);
  try {
    for (const variant of variants) {
      const store = createPostgresEventStore({
        executor: variant.executor,
        schema: variant.schema,
        ...(variant.readsAlone ? { readBatch: { enabled: false } } : {}),
      });
      const send = sender(variant, store);
      let next = 0;
      const figures = await attempt(() =>
        measureClosedLoops({
          loops: COMMAND_LOOPS,
          warmupMs: job.warmupMs,
          measureMs: job.measureMs,
          monitor,
          counts: variant.counts,
          step: async () => {
            const cart = next % CARTS;
            next += 1;
            return send(cart);
          },
        }),
      );
      await store.close();
      const system =
        variant.path !== 'bus'
          ? `duet-${variant.path}`
          : variant.readsAlone
            ? 'duet-reads-alone'
            : 'duet';
      await report(
        tenancyLine(
          {
            workload: 'command',
            shape: `command-${COMMAND_LOOPS}`,
            system,
            executor: variant.kind,
            tenants: variant.tenants,
            round: 1,
          },
          figures,
        ),
      );
    }
  } finally {
    await monitor.close();
    await plain.executor.close();
    await base.executor.close();
  }
}

/** One command for `cart` along the variant's path; resolves with the events appended. */
function sender(variant: Variant, store: PostgresEventStore): (cart: number) => Promise<number> {
  if (variant.path === 'bus') {
    const carts = defineCommandHandler({
      decider: {
        initialState: initialCart,
        evolve: evolveCart,
        decide: (command: ReturnType<typeof AddItem.create>, state) =>
          decideAddItem(command.data, state),
      },
      commands: [AddItem],
      stream: (command) => cartStream(command.data.cart),
    });
    const bus = createCommandBus({ store, handlers: [carts] });
    return async (cart) => {
      const context = variant.kind === 'isolated' ? { tenant: tenantOf(variant, cart) } : {};
      const result = await bus.send(AddItem.create({ cart }), context);
      return result.events.length;
    };
  }
  return (cart) =>
    inTenantOfCart(variant, cart, async () => {
      const stream = cartStream(cart);
      let state = initialCart();
      let version = 0;
      for await (const event of store.readStream(stream)) {
        state = evolveCart(state, event);
        version = event.streamVersion;
      }
      const events = decideAddItem({ cart }, state);
      await store.append(
        stream,
        variant.path === 'by-hand-ids'
          ? events.map((event) => ({ ...event, id: newEventId() }))
          : events,
        { expectedVersion: version === 0 ? 'no_stream' : version },
      );
      return events.length;
    });
}

const tenantOf = (variant: Variant, cart: number) => tenantName(cart, variant.tenants);

function inTenantOfCart<T>(variant: Variant, cart: number, fn: () => Promise<T>): Promise<T> {
  return variant.kind === 'plain' ? fn() : runInTenant(tenantOf(variant, cart), fn);
}
