import { parseArgs } from 'node:util';
import type { AppendShape } from '../append/append-shape.ts';
import { parseShapes } from '../append/append-shape.ts';

export interface BenchArgs {
  readonly workload: string | undefined;
  readonly help: boolean;
  readonly json: boolean;
  readonly store: 'postgres' | 'pglite' | 'all';
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly databaseUrl: string;
  readonly shapes: readonly AppendShape[];
  /** append: `command` was among `--shapes`: the command bus beside Emmett's CommandHandler. */
  readonly command: boolean;
  /**
   * append: tenant counts to spread the appends over on a tenant-isolated executor, each
   * beside the plain executor in the same process (empty: the usual Duet/Emmett/raw rounds).
   */
  readonly tenants: readonly number[];
  /** project: Duet's large rebuild; lag: unused. */
  readonly events: number;
  /** project: the size both systems rebuild. */
  readonly peerEvents: number;
  /**
   * lag: commands per second, or null for 25, 50 and 75 % of the command capacity measured
   * first; shop: orders per second of the open-loop case, or null for half of what the
   * closed loop just measured on the same deployment (below saturation).
   */
  readonly rate: number | null;
  /** lag: the projection runner in a process of its own instead of beside the commands. */
  readonly runnerProcess: boolean;
  /** shop: clients of the closed-loop case; http: connections of the load. */
  readonly clients: number;
  /** scale: how many app processes each round runs. */
  readonly processes: readonly number[];
  /** http: carts seeded for the shop and for Emmett (each PlaceOrder places a fresh one). */
  readonly carts: number;
  /** relay: end-to-end rates, events per second. */
  readonly rates: readonly number[];
  /** relay: the NATS server. */
  readonly natsUrl: string;
}

export const USAGE = `usage: npm run bench -- <workload> [options]

workloads:
  append               events/s and latency of appends: Duet, Emmett, Duet again, raw INSERTs
  project              projection rebuild events/s: Duet, Emmett, raw PostgreSQL; read models checked
  lag                  read-your-writes: the command capacity, then commands at 25/50/75 % of it
                       (or at --rate/s), each followed by a query for its position
  relay                events/s from the store to JetStream acks beside raw async publish,
                       then end-to-end latency (append -> effect in another service) at --rates
  shop                 duet load shop: orders/s confirmed with --clients (closed loop) and
                       placement -> order history p50/p99 at --rate (open loop), with every
                       service its own process (PostgreSQL + NATS; --store postgres) and as
                       npm start's one process (PGlite; --store pglite)
  http                 the shop's PlaceOrder over HTTP at --clients connections (its orders
                       service process), beside a bare Fastify route with one INSERT and
                       Emmett's CommandHandler behind Fastify, each server its own process;
                       then npm start's one process on PGlite (--store pglite)
  scale                app processes appending to one PostgreSQL (--processes, each with
                       --clients writers): aggregate events/s with the store's per-commit
                       NOTIFY, without it, and with one NOTIFY per process after commit;
                       the database's wait events and waiting locks sampled
  telemetry            what tracing and metrics cost with no OpenTelemetry SDK: ns per call

options:
  --json               one JSON line per result on stdout (default: a table)
  --store <name>       postgres | pglite | all (default all)
  --seconds <n>        append: measured seconds per shape and system (default 5);
                       lag: seconds of commands (default 30); relay: seconds per rate (default 20);
                       shop: measured seconds per case (default 30)
  --warmup <n>         unmeasured seconds before each measurement (default 1; shop: 10)
  --database-url <url> server to make bench databases on
                       (default $DATABASE_URL or postgres://root@127.0.0.1:5432/test)
  --shapes <list>      e.g. 64x1,8x10 (writers x events per append; default all five);
                       'command' adds 64 concurrent commands on 10,000 streams through Duet's
                       command bus beside Emmett's CommandHandler (e.g. --shapes 64x1,command)
  --tenants <list>     append: e.g. 1,8: run the shapes (and a 1,000-event readStream and
                       streamInfo) on isolateTenants with appends spread over that many
                       tenants, beside the plain executor in one process; with 'command',
                       the command bus also runs isolated
  --events <n>         project: Duet's large rebuild (default 1000000);
                       relay: events relayed and raw-published (default 100000)
  --peer-events <n>    project: the size both systems rebuild (default 100000)
  --rate <n>           lag: commands per second (default: the command capacity measured first,
                       then 25, 50 and 75 % of it); shop: orders/s of the open loop
                       (default: half the closed loop's confirmed orders/s, so below saturation)
  --runner-process     lag: the projection runner in a process of its own, as the shop's
                       services deploy it (default: in the bench's process)
  --clients <n>        shop: clients of the closed loop; http: connections;
                       scale: writers per app process (default 64)
  --processes <list>   scale: app process counts (default 1,4)
  --carts <n>          http: carts seeded for the shop and Emmett, one per PlaceOrder
                       (default 20000; a line says ran_out when the load used them all)
  --rates <list>       relay: end-to-end rates in events/s (default 1000,5000)
  --nats-url <url>     relay: NATS server (default $NATS_URL or nats://127.0.0.1:4222)
  -h, --help           this text
`;

const DEFAULT_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const DEFAULT_SECONDS: Readonly<Record<string, string>> = { lag: '30', relay: '20', shop: '30' };
// The shop's 64 clients all start at once and their first orders wait for the price list:
// the closed loop needs a few cycles before it is steady.
const DEFAULT_WARMUP: Readonly<Record<string, string>> = { shop: '10' };
const DEFAULT_EVENTS: Readonly<Record<string, string>> = { relay: '100000' };

/** Reads the command line; throws an Error whose message says what to change. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BenchArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      json: { type: 'boolean', default: false },
      store: { type: 'string', default: 'all' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'database-url': { type: 'string' },
      shapes: { type: 'string' },
      tenants: { type: 'string' },
      events: { type: 'string' },
      'peer-events': { type: 'string', default: '100000' },
      rate: { type: 'string' },
      'runner-process': { type: 'boolean', default: false },
      clients: { type: 'string', default: '64' },
      carts: { type: 'string', default: '20000' },
      processes: { type: 'string', default: '1,4' },
      rates: { type: 'string', default: '1000,5000' },
      'nats-url': { type: 'string' },
    },
  });
  const store = values.store;
  if (store !== 'postgres' && store !== 'pglite' && store !== 'all') {
    throw new Error(`--store must be postgres, pglite or all, not '${store}'`);
  }
  const workload = positionals[0];
  return {
    workload,
    help: values.help,
    json: values.json,
    store,
    seconds: positiveNumber('--seconds', values.seconds ?? DEFAULT_SECONDS[workload ?? ''] ?? '5'),
    warmupSeconds: positiveNumber(
      '--warmup',
      values.warmup ?? DEFAULT_WARMUP[workload ?? ''] ?? '1',
      true,
    ),
    databaseUrl: values['database-url'] ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    ...shapesAndCommand(values.shapes),
    tenants:
      values.tenants === undefined
        ? []
        : values.tenants.split(',').map((count) => positiveInteger('--tenants', count.trim())),
    events: positiveInteger(
      '--events',
      values.events ?? DEFAULT_EVENTS[workload ?? ''] ?? '1000000',
    ),
    peerEvents: positiveInteger('--peer-events', values['peer-events']),
    rate:
      values.rate === undefined && (workload === 'shop' || workload === 'lag')
        ? null
        : positiveInteger('--rate', values.rate ?? '1000'),
    runnerProcess: values['runner-process'],
    clients: positiveInteger('--clients', values.clients),
    carts: positiveInteger('--carts', values.carts),
    processes: values.processes
      .split(',')
      .map((count) => positiveInteger('--processes', count.trim())),
    rates: values.rates.split(',').map((rate) => positiveInteger('--rates', rate.trim())),
    natsUrl: values['nats-url'] ?? env.NATS_URL ?? DEFAULT_NATS_URL,
  };
}

/** `command` is a shape of its own: without other shapes, only it runs. */
function shapesAndCommand(text: string | undefined): {
  shapes: readonly AppendShape[];
  command: boolean;
} {
  if (text === undefined) return { shapes: parseShapes(undefined), command: false };
  const parts = text.split(',').map((part) => part.trim());
  const rest = parts.filter((part) => part !== 'command');
  return {
    shapes: rest.length === 0 ? [] : parseShapes(rest.join(',')),
    command: rest.length < parts.length,
  };
}

function positiveNumber(flag: string, text: string, zeroAllowed = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new Error(
      `${flag} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of seconds, not '${text}'`,
    );
  }
  return value;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${flag} must be a positive whole number, not '${text}'`);
  }
  return value;
}
