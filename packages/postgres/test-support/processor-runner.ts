import {
  defineProjection,
  type FailurePolicy,
  type ProcessorDefinition,
  type ProjectionDefinition,
  type RecordedEvent,
} from '@duet/core';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../src/event-store/postgres-event-store.ts';
import type { SqlExecutor } from '../src/executor/sql-executor.ts';
import { migrate } from '../src/migrations/migrate.ts';
import { openProcessors, type Processors } from '../src/processors/open-processors.ts';
import type { ProcessorsOptions, ProjectionStatus } from '../src/processors/processor-types.ts';
import { openTestDatabase, type TestDatabase } from '../src/testing/open-test-database.ts';

// Shared by the runner's integration tests: a store on a fresh schema, a runner whose own
// tables and read models live in schemas of their own, and a counting projection with a
// ledger (one row per applied event id: a second application would violate its key).

export type Backend =
  | { readonly kind: 'pglite' }
  | { readonly kind: 'postgres'; readonly url: string };

/** PGlite always; PostgreSQL when the test services found one. */
export function backendsFor(databaseUrl: string | null): Backend[] {
  return [
    { kind: 'pglite' },
    ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
  ];
}

export interface RunnerFixture extends AsyncDisposable {
  readonly db: TestDatabase;
  readonly store: PostgresEventStore;
  readonly executor: SqlExecutor;
  readonly runnerSchema: string;
  readonly readModelSchema: string;
  runner(
    processors: readonly ProcessorDefinition[],
    options?: Partial<ProcessorsOptions>,
  ): Processors;
  /**
   * Appends `count` Deposited events (amounts counting up) spread over `streams` streams,
   * in appends of `per`, concurrently (group commit may reorder them), or one after the
   * other in amount order with `ordered`.
   */
  deposit(count: number, streams?: number, per?: number, ordered?: boolean): Promise<void>;
  dispose(): Promise<void>;
}

export async function openRunnerFixture(backend: Backend): Promise<RunnerFixture> {
  const db = await openTestDatabase(backend);
  const store = createPostgresEventStore({
    executor: db.executor,
    schema: db.schema,
    pollIntervalMs: 50,
  });
  const runnerSchema = `${db.schema}_p`;
  const readModelSchema = `${db.schema}_rm`;
  const runners: Processors[] = [];
  let deposited = 0;
  const dispose = async () => {
    for (const runner of runners) await runner.stop();
    await store.close();
    await db.executor.query(`DROP SCHEMA IF EXISTS "${runnerSchema}" CASCADE`);
    await db.executor.query(`DROP SCHEMA IF EXISTS "${readModelSchema}" CASCADE`);
    await db.dispose();
  };
  return {
    db,
    store,
    executor: db.executor,
    runnerSchema,
    readModelSchema,
    runner(processors, options = {}) {
      const runner = openProcessors({
        store: { executor: db.executor, schema: db.schema },
        schema: runnerSchema,
        readModelSchema,
        processors,
        pollIntervalMs: 100,
        retry: { attempts: 2, backoffMs: 5 },
        dropDelayMs: 50,
        ...options,
      });
      runners.push(runner);
      // Migrates the runner's tables where they live (the read-model database) first.
      const readModels = options.readModels ?? db.executor;
      const start = async () => {
        await migrate(readModels, { schema: runnerSchema, set: 'processors' });
        await runner.start();
      };
      return { ...runner, start };
    },
    async deposit(count, streams = 10, per = 1, ordered = false) {
      const appends: Promise<unknown>[] = [];
      for (let i = 0; i < count; i += per) {
        const n = Math.min(per, count - i);
        const events = Array.from({ length: n }, (_, k) => ({
          type: 'Deposited',
          data: { amount: deposited + i + k + 1 },
        }));
        const append = store.append(`acct-${(deposited + i) % streams}`, events);
        if (ordered) await append;
        appends.push(append);
      }
      await Promise.all(appends);
      deposited += count;
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

export interface AccountsOptions {
  readonly name?: string;
  readonly version?: number;
  readonly partitions?: number;
  readonly onFailure?: FailurePolicy;
  /** Throw for this event (by data.amount) while `poisoned()` says so. */
  readonly poison?: { readonly amount: number; readonly active: () => boolean };
}

/** Balance per stream, and a ledger of applied event ids (its key catches a double apply). */
export function accountsProjection(options: AccountsOptions = {}): ProjectionDefinition {
  return defineProjection({
    name: options.name ?? 'accounts',
    version: options.version ?? 1,
    events: ['Deposited'],
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
    async setup(tx, tables) {
      await tx.query(
        `CREATE TABLE ${tables.name('balances')} (stream text PRIMARY KEY, balance bigint NOT NULL, events integer NOT NULL)`,
      );
      await tx.query(`CREATE TABLE ${tables.name('ledger')} (event_id text PRIMARY KEY)`);
    },
    async apply(tx, events: readonly RecordedEvent[], tables) {
      const rows = events.map((event) => {
        const amount = (event.data as { amount: number }).amount;
        if (options.poison && amount === options.poison.amount && options.poison.active()) {
          throw new Error(`poisoned amount ${amount}`);
        }
        return { stream: event.stream, amount, id: event.id };
      });
      await tx.query(
        `INSERT INTO ${tables.name('ledger')} (event_id) SELECT x.id FROM jsonb_to_recordset($1::text::jsonb) AS x(id text)`,
        [JSON.stringify(rows)],
      );
      await tx.query(
        `INSERT INTO ${tables.name('balances')} AS b (stream, balance, events)
         SELECT x.stream, sum(x.amount), count(*) FROM jsonb_to_recordset($1::text::jsonb) AS x(stream text, amount bigint)
          GROUP BY x.stream
         ON CONFLICT (stream) DO UPDATE SET balance = b.balance + excluded.balance, events = b.events + excluded.events`,
        [JSON.stringify(rows)],
      );
    },
  });
}

/** Polls `status()` until `check` holds for every row (or `some` row) it returns for `name`, or fails after `ms`. */
export async function waitForStatus(
  runner: Pick<Processors, 'status'>,
  check: (status: ProjectionStatus) => boolean,
  ms = 20_000,
  name?: string,
  some = false,
): Promise<ProjectionStatus[]> {
  const deadline = Date.now() + ms;
  let last: ProjectionStatus[] = [];
  while (Date.now() < deadline) {
    last = (await runner.status()).filter((s) => name === undefined || s.name === name);
    if (last.length > 0 && (some ? last.some(check) : last.every(check))) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`status did not settle within ${ms} ms: ${JSON.stringify(last, null, 1)}`);
}

/** Sum of balances and count of ledger rows of the active version. */
export async function totals(
  runner: Processors,
  name = 'accounts',
): Promise<{ balance: number; events: number; ledger: number }> {
  const { tables, executor } = await runner.readModel(name);
  const { rows } = await executor.query<{
    balance: string | null;
    events: string | null;
    ledger: string;
  }>(
    `SELECT (SELECT sum(balance) FROM ${tables.name('balances')})::text AS balance,
            (SELECT sum(events) FROM ${tables.name('balances')})::text AS events,
            (SELECT count(*) FROM ${tables.name('ledger')})::text AS ledger`,
  );
  const row = rows[0]!;
  return {
    balance: Number(row.balance ?? 0),
    events: Number(row.events ?? 0),
    ledger: Number(row.ledger),
  };
}

/** 1 + 2 + ... + n: the balance after n deposits. */
export const sumTo = (n: number) => (n * (n + 1)) / 2;
