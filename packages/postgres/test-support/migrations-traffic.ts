// Test support for the S10 traffic tests (migrations-*traffic.stress.int.test.ts): a
// version-7 schema filled in SQL, writers appending through today's store, and the check
// that every acknowledged append is stored exactly once. The lock hold and the waits also
// serve migrations-kill.stress.int.test.ts.
import { performance } from 'node:perf_hooks';
import { DuetError, newEventId } from '@duet/core';
import { expect } from 'vitest';
import {
  ALL_MIGRATIONS,
  createPgExecutor,
  createPostgresEventStore,
  migrate,
  type SqlExecutor,
} from '../src/index.ts';

export const FULL = process.env.DUET_FULL === '1';
export const SEEDED = FULL ? 1_000_000 : 50_000;
export const WRITERS = 8;
const SEED_STREAMS = 1_000;
const WAIT_TIMEOUT_MS = FULL ? 300_000 : 30_000;

export interface Writer {
  readonly stream: string;
  /** Ids of the events of each acknowledged append, in the order they were acknowledged. */
  readonly acknowledged: string[];
  /** Acknowledged appends that started after `migrated()` was called. */
  acknowledgedAfter: number;
  typedErrors: number;
  readonly untypedErrors: string[];
  maxWaitMs: number;
}

/** Writers running until `stop()`; `migrated()` marks the migration done for their counts. */
export interface Writers {
  readonly list: readonly Writer[];
  migrated(): void;
  stop(): Promise<void>;
}

/** N events over 1,000 streams in two statements: the shape appends leave, without appends. */
export async function seed(executor: SqlExecutor, schema: string): Promise<void> {
  await executor.query(
    `INSERT INTO "${schema}".events
       (id, stream, stream_version, category, type, schema_version, data, metadata,
        recorded_at, append_index, append_size)
     SELECT gen_random_uuid(), 'seed-' || (g % $2), g / $2 + 1, 'seed', 'Seeded', 1,
            jsonb_build_object('n', g), '{}'::jsonb, now(), 0, 1
       FROM generate_series(0, $1 - 1) AS g`,
    [SEEDED, SEED_STREAMS],
  );
  await executor.query(
    `INSERT INTO "${schema}".streams (stream, version, created_at, updated_at)
     SELECT 'seed-' || k, $1::bigint / $2, now(), now() FROM generate_series(0, $2 - 1) AS k`,
    [SEEDED, SEED_STREAMS],
  );
}

/**
 * Brings `schema` to version 7 (the release before tenants), seeds it and starts the
 * writers (see `startWriters`); returns once each has appended on version 7, so each is
 * under way before any migration. Stops them if they never get there.
 */
export async function startWritersOnV7(
  executor: SqlExecutor,
  url: string,
  schema: string,
  appName: string,
): Promise<Writers> {
  await migrate(executor, { schema }, ALL_MIGRATIONS.slice(0, 7));
  await seed(executor, schema);
  const writers = startWriters(url, schema, appName);
  const { list } = writers;
  try {
    await waitUntil(
      () => list.length === WRITERS && list.every((w) => w.acknowledged.length >= 2),
      'writers on v7',
    );
  } catch (error) {
    await writers.stop();
    throw error;
  }
  return writers;
}

/**
 * Starts `WRITERS` writers on their own pool (named `appName` in pg_stat_activity), each
 * with its own store, appending one event at a time to its own stream with the version it
 * was last told. A typed error (a DuetError) is counted and the version read again
 * (straight SQL: it works on both schema versions); anything else is recorded.
 */
export function startWriters(url: string, schema: string, appName: string): Writers {
  const pool = createPgExecutor({ connectionString: withAppName(url, appName), max: WRITERS + 2 });
  let stopped = false;
  let migrated = false;
  let closing: Promise<unknown> | undefined;
  const list: Writer[] = [];
  const runs = Array.from({ length: WRITERS }, async (_, i) => {
    const store = createPostgresEventStore({ executor: pool, schema });
    const writer: Writer = {
      stream: `writer-${i}`,
      acknowledged: [],
      acknowledgedAfter: 0,
      typedErrors: 0,
      untypedErrors: [],
      maxWaitMs: 0,
    };
    list.push(writer);
    let version = 0;
    try {
      while (!stopped) {
        const id = newEventId();
        const after = migrated;
        const started = performance.now();
        try {
          const result = await store.append(
            writer.stream,
            [{ type: 'Wrote', data: { n: version }, id }],
            { expectedVersion: version === 0 ? 'no_stream' : version },
          );
          writer.acknowledged.push(id);
          if (after) writer.acknowledgedAfter++;
          version = result.streamVersion;
        } catch (error) {
          if (error instanceof DuetError) writer.typedErrors++;
          else writer.untypedErrors.push(error instanceof Error ? error.message : String(error));
          const { rows } = await pool.query<{ version: string }>(
            `SELECT version::text AS version FROM "${schema}".streams WHERE stream = $1`,
            [writer.stream],
          );
          version = Number(rows[0]?.version ?? 0);
        } finally {
          writer.maxWaitMs = Math.max(writer.maxWaitMs, performance.now() - started);
        }
      }
    } finally {
      await store.close();
    }
  });
  return {
    list,
    migrated: () => {
      migrated = true;
    },
    stop() {
      stopped = true;
      closing ??= Promise.all(runs).finally(() => pool.close());
      return closing.then(() => {});
    },
  };
}

/** What the writers were told against what the schema holds. */
export async function checkStored(executor: SqlExecutor, schema: string, writers: Writers) {
  const { rows } = await executor.query<{ id: string; stream: string; version: string }>(
    `SELECT id::text AS id, stream, stream_version::text AS version
       FROM "${schema}".events WHERE category = 'writer' ORDER BY stream, stream_version`,
  );
  const { rows: heads } = await executor.query<{ stream: string; version: string }>(
    `SELECT stream, version::text AS version FROM "${schema}".streams WHERE stream LIKE 'writer-%'`,
  );
  const { rows: seeded } = await executor.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM "${schema}".events WHERE category = 'seed'`,
  );
  const stored = new Map<string, number>();
  for (const row of rows) stored.set(row.id, (stored.get(row.id) ?? 0) + 1);
  const acknowledged = writers.list.flatMap((w) => w.acknowledged);
  const gaps = writers.list.filter((w) => {
    const mine = rows.filter((row) => row.stream === w.stream).map((row) => Number(row.version));
    const head = Number(heads.find((h) => h.stream === w.stream)?.version ?? 0);
    return mine.some((v, i) => v !== i + 1) || head !== mine.length;
  }).length;
  return {
    acknowledged: acknowledged.length,
    stored: rows.length,
    lost: acknowledged.filter((id) => !stored.has(id)).length,
    duplicated: [...stored.values()].filter((n) => n > 1).length,
    streamVersionGaps: gaps,
    seededStored: Number(seeded[0]?.n),
    writerTypedErrors: writers.list.reduce((n, w) => n + w.typedErrors, 0),
    writerUntypedErrors: writers.list.reduce((n, w) => n + w.untypedErrors.length, 0),
    maxWriterWaitMs: Math.round(Math.max(...writers.list.map((w) => w.maxWaitMs))),
  };
}

/**
 * Marks the migration done for the writers' counts, waits until each has `appendsAfter`
 * acknowledged appends on the migrated schema, stops them and checks what they stored.
 */
export async function stopWritersAfterMigration(
  executor: SqlExecutor,
  schema: string,
  writers: Writers,
  appendsAfter: number,
) {
  writers.migrated();
  await waitUntil(
    () => writers.list.every((w) => w.acknowledgedAfter >= appendsAfter),
    'writers on the migrated schema',
  );
  await writers.stop();
  return checkStored(executor, schema, writers);
}

/** The figures of `checkStored` that every S10 traffic test reports, in this order. */
export function storedFigures(check: Awaited<ReturnType<typeof checkStored>>) {
  return {
    acknowledged: check.acknowledged,
    stored: check.stored,
    lost: check.lost,
    duplicated: check.duplicated,
    streamVersionGaps: check.streamVersionGaps,
    writerTypedErrors: check.writerTypedErrors,
    writerUntypedErrors: check.writerUntypedErrors,
  };
}

/** Every append a writer was told succeeded is stored exactly once, every stream contiguous. */
export function expectStoredOnce(
  writers: Writers,
  check: Awaited<ReturnType<typeof checkStored>>,
): void {
  expect(writers.list.flatMap((w) => w.untypedErrors)).toEqual([]);
  expect(check).toMatchObject({ lost: 0, duplicated: 0, streamVersionGaps: 0 });
  // Ambiguous failures may store what was never acknowledged; none happened here.
  expect(check.stored).toBe(check.acknowledged);
  expect(check.seededStored).toBe(SEEDED);
}

/** Holds one statement's lock in an open transaction until released. */
export function holdLock(executor: SqlExecutor, statement: string) {
  let release: () => void = () => {};
  let onHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    onHeld = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = executor.transaction(async (tx) => {
    await tx.query(statement);
    onHeld();
    await released;
  });
  return { held: Promise.race([held, done]), done, release };
}

/** How many sessions of `app` wait on a lock, and whether one of them is recording a migration. */
async function lockWaits(executor: SqlExecutor, migratorApp: string, writersApp: string) {
  const { rows } = await executor.query<{ migrator: string; writers: string }>(
    `SELECT count(*) FILTER (WHERE application_name = $1
                               AND query ILIKE '%INSERT INTO%migrations%')::text AS migrator,
            count(*) FILTER (WHERE application_name = $2)::text AS writers
       FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
    [migratorApp, writersApp],
  );
  return { migrator: Number(rows[0]?.migrator ?? 0), writers: Number(rows[0]?.writers ?? 0) };
}

/**
 * Waits until the migrator waits to record its migration, holding its locks, with every
 * writer queued behind them; returns how many writers wait. `seen` gets each probe's counts.
 */
export function waitForWritersBlocked(
  executor: SqlExecutor,
  migratorApp: string,
  writersApp: string,
  seen: (waits: { migrator: number; writers: number }) => void = () => {},
): Promise<number> {
  return waitFor(async () => {
    const waits = await lockWaits(executor, migratorApp, writersApp);
    seen(waits);
    return waits.migrator === 1 && waits.writers >= WRITERS ? waits.writers : null;
  }, 'the migrator to hold its locks with every writer waiting');
}

/** Waits until no session of `appName` is left: a killed client's backend rolls back and ends. */
export function waitForNoSessions(
  executor: SqlExecutor,
  appName: string,
  what: string,
  ms = WAIT_TIMEOUT_MS,
): Promise<true> {
  return waitFor(
    async () => {
      const { rows } = await executor.query(
        'SELECT 1 FROM pg_stat_activity WHERE application_name = $1',
        [appName],
      );
      return rows.length === 0 ? true : null;
    },
    what,
    ms,
  );
}

export function withAppName(url: string, appName: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}application_name=${appName}`;
}

export async function waitFor<T>(
  probe: () => Promise<T | null>,
  what: string,
  ms = WAIT_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function waitUntil(condition: () => boolean, what: string): Promise<true> {
  return waitFor(async () => (condition() ? true : null), what);
}
