import { randomBytes } from 'node:crypto';
import {
  type ForgetResult,
  PersonalDataForgottenError,
  type PersonalDataKeys,
  runAsSystem,
} from '@duet/core';
import { checkSubject } from '@duet/core/adapters';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { DEFAULT_PERSONAL_DATA_SCHEMA } from '../migrations/migration-set.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { failOption, isExecutor } from '../options/option-checks.ts';
import { checkSchemaName, quoteSchema } from '../schema-name.ts';

/** Options of `createPostgresPersonalDataKeys`. */
export interface PostgresPersonalDataKeysOptions {
  /** The event store's database: a forget then records the erasure in the same transaction. */
  readonly executor: SqlExecutor;
  /** The schema `migrate(executor, { schema, set: 'personal-data' })` created (default 'duet_personal_data'). */
  readonly schema?: string;
}

/** The PostgreSQL / PGlite key table, with the forget that runs inside a caller's transaction. */
export interface PostgresPersonalDataKeys extends PersonalDataKeys {
  readonly schema: string;
  /** `forget` inside `tx` (say, the transaction that appends the erasure event). */
  forgetIn(tx: SqlTransaction, subject: string): Promise<ForgetResult>;
  /**
   * The same keys read and made through `tx`: an append inside `store.transaction` seals
   * with them (on PGlite, one connection, a query beside the open transaction would wait for it).
   */
  using(tx: SqlTransaction): PersonalDataKeys;
  /**
   * VACUUMs the key table: a deleted key stays in the old row version until then. (WAL
   * segments and backups keep it until they are recycled; see docs/personal-data.md.)
   */
  vacuum(): Promise<void>;
}

// ISO 8601 in UTC, the same text from both drivers (they parse timestamptz differently).
const isoOf = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

interface KeyRow {
  readonly subject: string;
  readonly key: string | null;
}

/**
 * Personal data keys in a table of the owning service's database. Keys travel as hex
 * text (the two drivers return bytea differently). A forgotten subject keeps a row with no
 * key. PostgreSQL keeps the deleted key in the dead row version until VACUUM and in WAL
 * until it is recycled: `forgetPersonalData` vacuums the table after the forget.
 *
 * @example
 * await migrate(executor, { schema: 'customers_keys', set: 'personal-data' });
 * const keys = createPostgresPersonalDataKeys({ executor, schema: 'customers_keys' });
 */
export function createPostgresPersonalDataKeys(
  options: PostgresPersonalDataKeysOptions,
): PostgresPersonalDataKeys {
  if (typeof options !== 'object' || options === null) failOption('options', 'expected an object');
  if (!isExecutor(options.executor)) {
    failOption('executor', 'expected an executor from createPgExecutor or createPGliteExecutor');
  }
  const { executor } = options;
  const schema = checkSchemaName(options.schema ?? DEFAULT_PERSONAL_DATA_SCHEMA);
  const table = `${quoteSchema(schema)}.personal_data_keys`;
  // A key is its tenant's (the caller's scope; `''` for none): row policies hold it for
  // tenant requests, this for the system's.
  const own = `tenant = ${CURRENT_TENANT_SQL}`;
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw explainMissingSchema(error, schema, 'personal-data');
    }
  };

  const forgetIn = (tx: SqlTransaction, subject: string): Promise<ForgetResult> =>
    run(async () => {
      checkSubject(subject);
      // Lock the row (if any) first, so "was there a key" and the tombstone agree.
      const before = await tx.query<{ had: boolean }>(
        `SELECT key IS NOT NULL AS had FROM ${table} WHERE ${own} AND subject = $1 FOR UPDATE`,
        [subject],
      );
      const { rows } = await tx.query<{ forgotten_at: string }>(
        `INSERT INTO ${table} (subject, key, forgotten_at) VALUES ($1, NULL, now())
         ON CONFLICT (tenant, subject) DO UPDATE
           SET key = NULL, forgotten_at = COALESCE(${table}.forgotten_at, now())
         RETURNING ${isoOf('forgotten_at')} AS forgotten_at`,
        [subject],
      );
      return {
        subject,
        deleted: before.rows[0]?.had === true,
        forgottenAt: rows[0]!.forgotten_at,
      };
    });

  const on = (db: SqlTransaction): PersonalDataKeys => ({
    keyFor: (subject) =>
      run(async () => {
        checkSubject(subject);
        // Racing first uses: one insert wins, the others wait for it and read its key.
        await db.query(
          `INSERT INTO ${table} (subject, key) VALUES ($1, decode($2, 'hex')) ON CONFLICT (tenant, subject) DO NOTHING`,
          [subject, randomBytes(32).toString('hex')],
        );
        const { rows } = await db.query<KeyRow>(
          `SELECT subject, encode(key, 'hex') AS key FROM ${table} WHERE ${own} AND subject = $1`,
          [subject],
        );
        const key = rows[0]?.key;
        if (!key) throw new PersonalDataForgottenError(subject);
        return new Uint8Array(Buffer.from(key, 'hex'));
      }),
    findKeys: (subjects) =>
      run(async () => {
        const found = new Map<string, Uint8Array>();
        if (subjects.length === 0) return found;
        const { rows } = await db.query<KeyRow>(
          `SELECT subject, encode(key, 'hex') AS key FROM ${table}
            WHERE ${own} AND subject = ANY($1::text[]) AND key IS NOT NULL`,
          [subjects],
        );
        for (const row of rows) {
          if (row.key) found.set(row.subject, new Uint8Array(Buffer.from(row.key, 'hex')));
        }
        return found;
      }),
    forget: (subject) => forgetIn(db, subject),
    forgottenAt: (subject) =>
      run(async () => {
        const { rows } = await db.query<{ forgotten_at: string | null }>(
          `SELECT ${isoOf('forgotten_at')} AS forgotten_at FROM ${table} WHERE ${own} AND subject = $1`,
          [subject],
        );
        return rows[0]?.forgotten_at ?? null;
      }),
  });

  return {
    ...on(executor),
    forget: (subject) => executor.transaction((tx) => forgetIn(tx, subject)),
    schema,
    forgetIn,
    using: on,
    vacuum: () =>
      run(async () => {
        // The system's work, whoever forgets: VACUUM runs outside a transaction and as the
        // table's owner, which a tenant's statements (isolateTenants) are not.
        await runAsSystem(() => executor.query(`VACUUM ${table}`));
      }),
  };
}
