import { deepStrictEqual } from 'node:assert';
import { randomBytes } from 'node:crypto';
import {
  type EventMetadataInput,
  newEventId,
  type ProjectionDefinition,
  type ProjectionTables,
  type RecordedEvent,
  toStreamName,
} from '@duet/core';
import { makePosition } from '@duet/core/adapters';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { projectionTables } from '../read-models/projection-tables.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { openTestDatabase } from './open-test-database.ts';

/** An event for a spec: `{ type, data }`, optionally with a stream, id or metadata. */
export interface SpecEvent {
  readonly type: string;
  readonly data: unknown;
  /** Default 'test-1'. */
  readonly stream?: string;
  readonly id?: string;
  readonly metadata?: EventMetadataInput;
}

/** Runs a statement against the spec's read model and returns its rows. */
export type SpecQuery = <Row = Record<string, unknown>>(
  sql: string,
  params?: readonly unknown[],
) => Promise<Row[]>;

/** The last step of a projection spec. */
export interface ProjectionSpecThen {
  /**
   * Sets up the tables, applies the events in one batch, then calls `check` with the
   * tables and a query function; resolves to what it returns. Assert inside `check`.
   */
  then<T>(check: (tables: ProjectionTables, query: SpecQuery) => Promise<T> | T): Promise<T>;
  /** Like `then`, asserting the rows `sql` returns equal `expected` (a diff otherwise). */
  thenRows(
    sql: string | ((tables: ProjectionTables) => string),
    expected: readonly Record<string, unknown>[],
  ): Promise<void>;
}

export interface ProjectionSpec {
  given(events: readonly (SpecEvent | RecordedEvent)[]): ProjectionSpecThen;
}

/**
 * Given/then for a projection: given these events, then the read model holds these rows.
 * Runs on the test file's shared PGlite (or your executor) in a fresh schema, dropped
 * afterwards. Events given as `{ type, data }` get an envelope: an id, the stream
 * (default 'test-1') with contiguous versions, increasing positions, a timestamp.
 *
 * @example
 * await projectionSpec(orderHistory)
 *   .given([{ type: 'OrderPlaced', data: { orderId: 'o1', total: 30 }, stream: 'order-o1' }])
 *   .thenRows((t) => `SELECT id, total FROM ${t.name('orders')}`, [{ id: 'o1', total: 30 }]);
 */
export function projectionSpec(
  projection: ProjectionDefinition,
  options: { readonly executor?: SqlExecutor } = {},
): ProjectionSpec {
  return {
    given(given) {
      const run = async <T>(
        check: (tables: ProjectionTables, query: SpecQuery) => Promise<T> | T,
      ): Promise<T> => {
        const db = options.executor
          ? null
          : await openTestDatabase({ kind: 'pglite', migrate: false });
        const executor = options.executor ?? db!.executor;
        const schema = db?.schema ?? `spec_${randomBytes(5).toString('hex')}`;
        const tables = projectionTables(schema, projection.name, projection.version);
        try {
          await executor.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
          await executor.transaction(async (tx) => {
            await projection.setup(tx, tables);
            const events = envelopes(given).filter(
              (e) => projection.eventTypes === null || projection.eventTypes.includes(e.type),
            );
            if (events.length > 0) await projection.apply(tx, events, tables);
          });
          const query: SpecQuery = async <Row>(sql: string, params?: readonly unknown[]) =>
            (await executor.query<Row>(sql, params)).rows;
          return await check(tables, query);
        } finally {
          if (db) await db.dispose();
          else await executor.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
        }
      };
      return {
        // biome-ignore lint/suspicious/noThenProperty: the kit's vocabulary is given/then.
        then(check, ...awaited: unknown[]) {
          // `await spec.given(events)` calls then(resolve, reject): say what went wrong.
          const reject = awaited[0];
          if (typeof reject === 'function') {
            const error = new TypeError(
              'a projection spec is not a promise: end it with .then(check) or .thenRows(sql, rows)',
            );
            reject(error);
            return Promise.resolve(undefined as never);
          }
          return run(check);
        },
        thenRows: (sql, expected) =>
          run(async (tables, query) => {
            const rows = await query(typeof sql === 'function' ? sql(tables) : sql);
            deepStrictEqual(rows, expected);
          }),
      };
    },
  };
}

/** Fills in envelopes: ids, per-stream versions, increasing positions, a timestamp. */
function envelopes(events: readonly (SpecEvent | RecordedEvent)[]): RecordedEvent[] {
  const versions = new Map<string, number>();
  const timestamp = new Date().toISOString();
  return events.map((event, index) => {
    if ('position' in event && 'streamVersion' in event) return event;
    const stream = toStreamName(event.stream ?? 'test-1');
    const streamVersion = (versions.get(stream) ?? 0) + 1;
    versions.set(stream, streamVersion);
    return {
      id: event.id ?? newEventId(),
      type: event.type,
      data: event.data,
      stream,
      streamVersion,
      position: makePosition(1n, BigInt(index + 1)),
      schemaVersion: 1,
      metadata: { ...event.metadata, timestamp: event.metadata?.timestamp ?? timestamp },
    };
  });
}
