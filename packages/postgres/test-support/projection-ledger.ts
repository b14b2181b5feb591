// The projection the projection stress tests run, in the test process and in child
// processes alike. Every applied batch does two things in the runner's transaction:
// - folds `Deposited { amount }` events into one row per stream (count, total, last
//   version, an order-sensitive checksum, and a count of version gaps), and
// - writes one ledger row per applied event id. The ledger has no unique key on purpose:
//   an event applied twice shows up as a second row, it does not fail the batch.
// A test compares the rows with `foldAccounts` over the store's events and counts the
// ledger: count(*) = count(DISTINCT event_id) = events written means exactly once.
import type { RecordedEvent } from '@duet/core';
import { defineProjection } from '@duet/core';
import { migrate, type SqlExecutor, type SqlTransaction } from '@duet/postgres';

export const DEPOSITED = 'Deposited';

/** The checksum's modulus: a prime below 2^31, so `checksum * multiplier` fits a bigint. */
const MODULUS = 2_147_483_647n;
const BASE = 31n;

export interface AccountRow {
  readonly stream: string;
  readonly count: number;
  readonly total: number;
  readonly lastVersion: number;
  readonly checksum: string;
  readonly gaps: number;
}

export interface LedgerProjectionOptions {
  readonly name: string;
  readonly version?: number;
  /** The schema of the fixed-name read-model tables (see `ledgerTables`). */
  readonly schema: string;
  /** Written into every ledger row: which process applied the event. */
  readonly worker: string;
  readonly partitions?: number;
  readonly onFailure?: 'stop' | 'skip' | 'park';
  /** Sleeps this long per applied event inside the batch: a slow read model. */
  readonly applyDelayMsPerEvent?: number;
  /** Apply throws for this event id until `flags.fixed` is true. */
  readonly poisonEventId?: string;
  /**
   * Setup empties accounts and ledger. The tables have fixed names outside the runner's
   * read-model schema, so a reset (rebuild) would not drop them; setup runs in the reset's
   * transaction, so with this the replay starts from empty tables, as a real rebuild does.
   */
  readonly clearOnSetup?: boolean;
}

/**
 * The runner's own schemas for a test schema: its tables (checkpoints, dead letters) and
 * the projections' version-specific tables, apart from the event store's.
 */
export function runnerSchemas(schema: string) {
  return { schema: `${schema}_runner`, readModelSchema: `${schema}_rm` };
}

/** Migrates the runner's tables (the processors' migration set) into `runnerSchemas`' schema. */
export async function migrateRunnerSchema(executor: SqlExecutor, schema: string): Promise<void> {
  await migrate(executor, { schema: runnerSchemas(schema).schema, set: 'processors' });
}

/** Drops what `runnerSchemas` names (the test database drops only its own schema). */
export async function dropRunnerSchemas(tx: SqlTransaction, schema: string): Promise<void> {
  const names = runnerSchemas(schema);
  await tx.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
  await tx.query(`DROP SCHEMA IF EXISTS "${names.readModelSchema}" CASCADE`);
}

/** The fixed names of the read-model tables, so a test can read them back. */
export function ledgerTables(schema: string) {
  return {
    accounts: `"${schema}".accounts`,
    ledger: `"${schema}".ledger`,
    flags: `"${schema}".flags`,
  };
}

/** The projection: accounts + ledger, in the runner's batch transaction. */
export function ledgerProjection(options: LedgerProjectionOptions) {
  const t = ledgerTables(options.schema);
  return defineProjection({
    name: options.name,
    version: options.version ?? 1,
    events: [DEPOSITED],
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
    async setup(tx) {
      await createLedgerTables(tx, options.schema);
      if (options.clearOnSetup) await tx.query(`TRUNCATE ${t.accounts}, ${t.ledger}`);
    },
    async apply(tx, events) {
      await applyBatch(tx, t, events, options);
    },
  });
}

/** Creates the read-model tables if missing (setup may run in every process). */
export async function createLedgerTables(tx: SqlTransaction, schema: string): Promise<void> {
  const t = ledgerTables(schema);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${t.accounts} (
    stream text PRIMARY KEY,
    count bigint NOT NULL,
    total bigint NOT NULL,
    last_version bigint NOT NULL,
    checksum bigint NOT NULL,
    gaps bigint NOT NULL
  )`);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${t.ledger} (
    event_id uuid NOT NULL,
    stream text NOT NULL,
    stream_version bigint NOT NULL,
    position text COLLATE "C" NOT NULL,
    worker text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${t.flags} (
    id integer PRIMARY KEY,
    fixed boolean NOT NULL
  )`);
}

interface StreamDelta {
  count: number;
  total: number;
  firstVersion: number;
  lastVersion: number;
  fold: bigint;
  multiplier: bigint;
  gaps: number;
}

async function applyBatch(
  tx: SqlTransaction,
  t: ReturnType<typeof ledgerTables>,
  events: readonly RecordedEvent[],
  options: LedgerProjectionOptions,
): Promise<void> {
  if (events.length === 0) return;
  if (options.poisonEventId !== undefined && events.some((e) => e.id === options.poisonEventId)) {
    const { rows } = await tx.query<{ fixed: boolean }>(
      `SELECT fixed FROM ${t.flags} WHERE id = 1`,
    );
    if (rows[0]?.fixed !== true) throw new Error(`poisoned event ${options.poisonEventId}`);
  }
  if (options.applyDelayMsPerEvent) {
    await tx.query('SELECT pg_sleep($1)', [(options.applyDelayMsPerEvent * events.length) / 1000]);
  }
  await tx.query(
    `INSERT INTO ${t.ledger} (event_id, stream, stream_version, position, worker)
     SELECT u.id, u.stream, u.version, u.position, $5
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[]) AS u(id, stream, version, position)`,
    [
      events.map((e) => e.id),
      events.map((e) => e.stream),
      events.map((e) => e.streamVersion),
      events.map((e) => e.position),
      options.worker,
    ],
  );
  const deltas = new Map<string, StreamDelta>();
  for (const event of events) {
    const amount = amountOf(event);
    const delta = deltas.get(event.stream);
    if (delta === undefined) {
      deltas.set(event.stream, {
        count: 1,
        total: amount,
        firstVersion: event.streamVersion,
        lastVersion: event.streamVersion,
        fold: BigInt(amount) % MODULUS,
        multiplier: BASE,
        gaps: 0,
      });
    } else {
      // Within a batch a gap is counted here; across batches the SQL below counts it.
      if (event.streamVersion !== delta.lastVersion + 1) delta.gaps += 1;
      delta.count += 1;
      delta.total += amount;
      delta.lastVersion = event.streamVersion;
      delta.fold = (delta.fold * BASE + BigInt(amount)) % MODULUS;
      delta.multiplier = (delta.multiplier * BASE) % MODULUS;
    }
  }
  const rows = [...deltas.entries()];
  // Partitions own disjoint streams, so concurrent batches never touch the same row.
  await tx.query(
    `WITH u AS (
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                            $6::bigint[], $7::bigint[], $8::bigint[])
         AS u(stream, n, total, first_version, last_version, fold, multiplier, gaps)
     ), updated AS (
       UPDATE ${t.accounts} AS a
          SET count = a.count + u.n,
              total = a.total + u.total,
              last_version = u.last_version,
              checksum = (a.checksum * u.multiplier + u.fold) % ${MODULUS},
              gaps = a.gaps + u.gaps + CASE WHEN u.first_version = a.last_version + 1 THEN 0 ELSE 1 END
         FROM u WHERE a.stream = u.stream
       RETURNING a.stream
     )
     INSERT INTO ${t.accounts} (stream, count, total, last_version, checksum, gaps)
     SELECT u.stream, u.n, u.total, u.last_version, u.fold,
            u.gaps + CASE WHEN u.first_version = 1 THEN 0 ELSE 1 END
       FROM u WHERE u.stream NOT IN (SELECT stream FROM updated)`,
    [
      rows.map(([stream]) => stream),
      rows.map(([, d]) => d.count),
      rows.map(([, d]) => d.total),
      rows.map(([, d]) => d.firstVersion),
      rows.map(([, d]) => d.lastVersion),
      rows.map(([, d]) => d.fold.toString()),
      rows.map(([, d]) => d.multiplier.toString()),
      rows.map(([, d]) => d.gaps),
    ],
  );
}

function amountOf(event: RecordedEvent): number {
  const data = event.data as { amount?: unknown } | null;
  if (typeof data?.amount !== 'number') throw new Error(`event ${event.id} has no amount`);
  return data.amount;
}

/**
 * The read model computed from scratch, in the order given (the store's global order):
 * what the accounts table must hold. `gaps` counts, per stream, events whose version does
 * not follow the previous one, as the projection does.
 */
export function foldAccounts(events: Iterable<RecordedEvent>): AccountRow[] {
  const accounts = new Map<
    string,
    { count: number; total: number; last: number; sum: bigint; gaps: number }
  >();
  for (const event of events) {
    if (event.type !== DEPOSITED) continue;
    const amount = amountOf(event);
    const account = accounts.get(event.stream) ?? { count: 0, total: 0, last: 0, sum: 0n, gaps: 0 };
    if (event.streamVersion !== account.last + 1) account.gaps += 1;
    account.count += 1;
    account.total += amount;
    account.last = event.streamVersion;
    account.sum = (account.sum * BASE + BigInt(amount)) % MODULUS;
    accounts.set(event.stream, account);
  }
  return [...accounts.entries()]
    .map(([stream, a]) => ({
      stream,
      count: a.count,
      total: a.total,
      lastVersion: a.last,
      checksum: a.sum.toString(),
      gaps: a.gaps,
    }))
    .sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}

/** The accounts table, in the shape `foldAccounts` returns. */
export async function readAccounts(tx: SqlTransaction, schema: string): Promise<AccountRow[]> {
  const { rows } = await tx.query<{
    stream: string;
    count: string;
    total: string;
    last_version: string;
    checksum: string;
    gaps: string;
  }>(
    `SELECT stream, count::text, total::text, last_version::text, checksum::text, gaps::text
       FROM ${ledgerTables(schema).accounts} ORDER BY stream COLLATE "C"`,
  );
  return rows.map((row) => ({
    stream: row.stream,
    count: Number(row.count),
    total: Number(row.total),
    lastVersion: Number(row.last_version),
    checksum: row.checksum,
    gaps: Number(row.gaps),
  }));
}

/** The ledger's counts: exactly once means rows = distinct = events written. */
export async function ledgerCounts(
  tx: SqlTransaction,
  schema: string,
): Promise<{ rows: number; distinct: number }> {
  const { rows } = await tx.query<{ rows: string; distinct: string }>(
    `SELECT count(*)::text AS rows, count(DISTINCT event_id)::text AS distinct
       FROM ${ledgerTables(schema).ledger}`,
  );
  return { rows: Number(rows[0]?.rows ?? 0), distinct: Number(rows[0]?.distinct ?? 0) };
}
