import type { Inbox, InboxEntry, InboxOutcome } from '@duet/core';
import type {
  EventStoreTransaction,
  PostgresEventStore,
} from '../event-store/postgres-event-store.ts';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';

/** Options of `createPostgresInbox`. */
export interface PostgresInboxOptions {
  /** The database the consumer's effects go to. */
  readonly executor: SqlExecutor;
  /** The schema `migrate` created (default 'duet'): the `inbox` tables are there. */
  readonly schema?: string;
}

/** Options of `createPostgresInbox` for a consumer whose effects are events in its own store. */
export interface PostgresStoreInboxOptions {
  /** Handlers get `store.transaction`'s `{ append, query }`; the inbox tables are in the store's schema. */
  readonly store: PostgresEventStore;
}

/**
 * The inbox on PostgreSQL or PGlite: a consumer's handlers run in one transaction with
 * the rows that record their message ids and each stream's version, so effects happen
 * once and in stream order. Concurrent handlers of one stream serialize on its row;
 * a duplicate racing its twin loses on the primary key and its transaction rolls back.
 *
 * Given `{ store }` instead, handlers run in `store.transaction` and can append events
 * in the same transaction as the inbox row, so they happen exactly once: a service that answers another
 * service's events with events of its own.
 *
 * @example
 * const inbox = createPostgresInbox({ executor, schema: 'order_history' });
 * const answers = createPostgresInbox({ store }); // handle: (m, { tx }) => tx.append(...)
 * createIntegrationConsumer({ inbox, handle: async (m, { tx }) => tx.query('INSERT ...') , ... });
 */
export function createPostgresInbox(
  options: PostgresStoreInboxOptions,
): Inbox<EventStoreTransaction>;
export function createPostgresInbox(options: PostgresInboxOptions): Inbox<SqlTransaction>;
export function createPostgresInbox(
  options: PostgresInboxOptions | PostgresStoreInboxOptions,
): Inbox<SqlTransaction> | Inbox<EventStoreTransaction> {
  if ('store' in options) {
    const { store } = options;
    return inboxOn(store.executor, store.schema, (fn) => store.transaction(fn));
  }
  return inboxOn(options.executor, options.schema ?? DEFAULT_SCHEMA, (fn) =>
    options.executor.transaction(fn),
  );
}

function inboxOn<Tx extends SqlTransaction>(
  executor: SqlExecutor,
  schemaName: string,
  open: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
): Inbox<Tx> {
  const schema = checkSchemaName(schemaName, 'schema');
  const s = quoteIdentifier(schema);

  const transaction = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    try {
      return await open(fn);
    } catch (error) {
      throw explainMissingSchema(error, schema);
    }
  };

  // One round trip before the handlers: lock the streams' cursor rows (made if missing; the
  // upsert's DO UPDATE takes the row lock) in a fixed order, so two batches never deadlock,
  // and find which ids were handled before.
  const prelude = async (tx: SqlTransaction, consumer: string, entries: readonly InboxEntry[]) => {
    const streams = [...new Set(entries.map((e) => e.stream))].sort();
    const { rows } = await tx.query<{
      kind: 'cursor' | 'seen';
      key: string;
      version: number | null;
    }>(
      `WITH cursors AS (
         INSERT INTO ${s}.inbox_streams (consumer, stream, version)
         SELECT $1, x, 0 FROM unnest($2::text[]) AS x ORDER BY x
         ON CONFLICT (consumer, stream) DO UPDATE SET version = inbox_streams.version
         RETURNING stream, version
       )
       SELECT 'cursor' AS kind, stream AS key, version FROM cursors
       UNION ALL
       SELECT 'seen', message_id, NULL FROM ${s}.inbox
        WHERE consumer = $1 AND message_id = ANY($3::text[])`,
      [consumer, streams, entries.map((e) => e.messageId)],
    );
    const cursors = new Map<string, number>();
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.kind === 'cursor') cursors.set(row.key, Number(row.version));
      else seen.add(row.key);
    }
    return { cursors, seen };
  };

  // One round trip after them: the handled ids and the streams' new versions.
  const record = async (
    tx: SqlTransaction,
    consumer: string,
    handled: readonly InboxEntry[],
    cursors: ReadonlyMap<string, number>,
  ) => {
    const streams = [...new Set(handled.map((e) => e.stream))];
    await tx.query(
      `WITH ids AS (
         INSERT INTO ${s}.inbox (consumer, message_id, stream, stream_version)
         SELECT $1, x.message_id, x.stream, x.stream_version
           FROM jsonb_to_recordset($2::text::jsonb) AS x(message_id text, stream text, stream_version integer)
       )
       UPDATE ${s}.inbox_streams AS c SET version = x.version
         FROM jsonb_to_recordset($3::text::jsonb) AS x(stream text, version integer)
        WHERE c.consumer = $1 AND c.stream = x.stream`,
      [
        consumer,
        JSON.stringify(
          handled.map((e) => ({
            message_id: e.messageId,
            stream: e.stream,
            stream_version: e.streamVersion,
          })),
        ),
        JSON.stringify(streams.map((stream) => ({ stream, version: cursors.get(stream) }))),
      ],
    );
  };

  return {
    async run(consumer, entries, handle, runOptions = {}) {
      if (entries.length === 0) return [];
      return transaction(async (tx) => {
        const { cursors, seen } = await prelude(tx, consumer, entries);
        const outcomes: InboxOutcome[] = [];
        const handled: InboxEntry[] = [];
        for (const [index, entry] of entries.entries()) {
          if (seen.has(entry.messageId)) {
            outcomes.push('duplicate');
            continue;
          }
          const at = cursors.get(entry.stream) ?? 0;
          if (!runOptions.ignoreOrder && entry.previousVersion > at) {
            outcomes.push('early');
            continue;
          }
          await handle(entry, index, tx);
          seen.add(entry.messageId);
          cursors.set(entry.stream, Math.max(at, entry.streamVersion));
          handled.push(entry);
          outcomes.push('handled');
        }
        if (handled.length > 0) await record(tx, consumer, handled, cursors);
        return outcomes;
      });
    },
    async pass(consumer, entry) {
      await transaction(async (tx) => {
        await tx.query(
          `INSERT INTO ${s}.inbox_streams (consumer, stream, version) VALUES ($1, $2, $3)
           ON CONFLICT (consumer, stream) DO UPDATE SET version = GREATEST(inbox_streams.version, EXCLUDED.version)`,
          [consumer, entry.stream, entry.streamVersion],
        );
      });
    },
    async handled(consumer, messageId) {
      const { rows } = await executor
        .query(`SELECT 1 FROM ${s}.inbox WHERE consumer = $1 AND message_id = $2`, [
          consumer,
          messageId,
        ])
        .catch((error: unknown) => {
          throw explainMissingSchema(error, schema);
        });
      return rows.length > 0;
    },
  };
}
