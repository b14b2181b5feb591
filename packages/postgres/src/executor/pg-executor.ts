import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Client, ClientConfig, Pool, PoolClient, QueryConfig } from 'pg';
import {
  ANY_SESSION,
  createSessionConnections,
  type SessionConnections,
} from './session-connections.ts';
import type {
  NotifyHandler,
  SqlExecutor,
  SqlSession,
  SqlSessions,
  SqlTransaction,
} from './sql-executor.ts';

export type PgExecutorOptions =
  | {
      /** `postgres://user@host:5432/db`. The executor opens and owns its pool. */
      readonly connectionString: string;
      /** Pool size (default 10: PostgreSQL allows 100 connections by default). */
      readonly max?: number;
    }
  | {
      /** A pool you own: the executor never ends it. LISTEN uses its connection settings. */
      readonly pool: Pool;
    };

type PgModule = typeof import('pg');

// pg is an optional peer: load it only when someone asks for a pg executor, so PGlite-only
// users need not install it.
function loadPg(): PgModule {
  const require = createRequire(import.meta.url);
  return require('pg') as PgModule;
}

/**
 * Runs Duet's SQL on PostgreSQL through a `pg` pool. LISTEN gets its own long-lived
 * client outside the pool, which reconnects when the connection drops and then tells each
 * listener to re-read (a notification sent while it was down is lost).
 *
 * @example
 * await using executor = createPgExecutor({ connectionString: process.env.DATABASE_URL! });
 * await migrate(executor, { schema: 'orders' });
 */
export function createPgExecutor(options: PgExecutorOptions): SqlExecutor {
  const pg = loadPg();
  const owned = 'connectionString' in options;
  const pool = owned
    ? new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 })
    : options.pool;
  // A dropped idle client must not crash the process; the pool replaces it.
  if (owned) pool.on('error', () => {});
  const statements = preparedStatements();
  const listener = createPgListener(() => new pg.Client(pool.options as ClientConfig));
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    await listener.close();
    connections.close();
    if (owned) await pool.end();
  };

  // On a pool the executor owns, idle connections are kept by the session they are in, so
  // a statement takes one already in its session (session-connections.ts); nobody else
  // takes them, so none leaves in a session. A pool handed in keeps pg's own hand-out.
  const connections = owned ? createSessionConnections(pool) : poolConnections(pool);
  /** Moves `client` into `wanted` (undefined: out of any), one round trip when it must. */
  const enter = async (client: PoolClient, wanted: SqlSession | undefined) => {
    const current = connections.sessionOf(client);
    if (current?.key === wanted?.key) return;
    connections.setSession(client, undefined); // unknown until the switch has run; a failure discards it
    await client.query([current?.leave, wanted?.enter].filter(Boolean).join('; '));
    connections.setSession(client, wanted);
  };

  // A connection that drops while checked out emits 'error' between statements, with no
  // query to take it (pg's pool.query guards the same way): the statement that next uses
  // it fails and the pool discards it, so the event itself needs no handling.
  const guarded = new WeakSet<PoolClient>();
  const checkOut = async (wanted: SqlSession | undefined | typeof ANY_SESSION) => {
    const client = await connections.checkOut(
      wanted === ANY_SESSION ? wanted : (wanted?.key ?? ''),
    );
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', () => {});
    }
    return client;
  };

  const query = async <Row>(
    session: SqlSession | undefined | typeof ANY_SESSION,
    sql: string,
    params: readonly unknown[] | undefined,
  ) => {
    const client = await checkOut(session);
    let failed: Error | undefined;
    try {
      if (session !== ANY_SESSION) await enter(client, session);
      const result = await client.query(statements.config(sql, params));
      return { rows: result.rows as Row[] };
    } catch (error) {
      // As pg's pool.query does: a connection a statement failed on is not reused.
      failed = error as Error;
      throw error;
    } finally {
      connections.release(client, failed);
    }
  };

  const transaction = async <T>(
    session: SqlSession | undefined,
    fn: (tx: SqlTransaction) => Promise<T>,
  ): Promise<T> => {
    const client = await checkOut(session);
    let broken = false;
    try {
      await enter(client, session);
    } catch (error) {
      connections.release(client, error as Error);
      throw error;
    }
    try {
      await client.query('BEGIN');
      const result = await fn(transactionOn(client, statements));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone or unusable: do not return it to the pool
      }
      throw error;
    } finally {
      connections.release(client, broken ? true : undefined);
    }
  };

  const sessions: SqlSessions = {
    query: (session, sql, params) => query(session, sql, params),
    transaction: (session, fn) => transaction(session, fn),
    queryInAnySession: (sql, params) => query(ANY_SESSION, sql, params),
  };

  return {
    kind: 'postgres',
    ...(owned ? { sessions } : {}),
    query: (sql, params) => query(undefined, sql, params),
    transaction: (fn) => transaction(undefined, fn),
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** pg's own hand-out, for a pool handed in: its connections never hold a session. */
function poolConnections(pool: Pool): SessionConnections {
  return {
    checkOut: () => pool.connect(),
    release: (client, error) => client.release(error),
    sessionOf: () => undefined,
    setSession: () => {},
    close: () => {},
  };
}

function transactionOn(client: PoolClient, statements: PreparedStatements): SqlTransaction {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(statements.config(sql, params));
      return { rows: result.rows as Row[] };
    },
  };
}

interface PreparedStatements {
  config(sql: string, params: readonly unknown[] | undefined): QueryConfig;
}

// Distinct statement texts prepared per executor: Duet's SQL is a few hundred texts; a
// caller's SQL built with values inlined would otherwise grow every connection's cache.
const MAX_PREPARED = 1_000;

/**
 * Server-side prepared statements for SQL that runs again and again: PostgreSQL parses
 * and analyses a statement once per connection instead of on every call (the processors'
 * page read and the inbox statements cost more to parse than to run). A statement is
 * named after a hash of its text, so names never clash, also in a pool shared with other
 * executors. Only statements with parameters: those without may hold several commands,
 * which only the simple protocol runs.
 */
function preparedStatements(): PreparedStatements {
  const names = new Map<string, string>();
  return {
    config(sql, params) {
      if (params === undefined) return { text: sql };
      let name = names.get(sql);
      if (name === undefined && names.size < MAX_PREPARED) {
        name = `duet_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
        names.set(sql, name);
      }
      return name === undefined
        ? { text: sql, values: [...params] }
        : { name, text: sql, values: [...params] };
    },
  };
}

interface PgListener {
  listen(channel: string, onNotify: NotifyHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const quoteChannel = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

/** One dedicated client for every LISTEN of an executor, reconnecting with backoff. */
function createPgListener(newClient: () => Client): PgListener {
  const handlers = new Map<string, Set<NotifyHandler>>();
  let client: Client | null = null;
  let connecting: Promise<Client> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let backoffMs = 50;
  let closed = false;

  const dispatch = (channel: string, payload: string | null) => {
    for (const handler of handlers.get(channel) ?? []) handler(payload);
  };

  const lost = (dead: Client) => {
    if (client !== dead) return; // 'error' and 'end' both arrive: handle the loss once
    client = null;
    dead.end().catch(() => {});
    if (!closed && handlers.size > 0) scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().then(
        () => {
          backoffMs = 50;
          for (const channel of handlers.keys()) dispatch(channel, null);
        },
        () => {
          backoffMs = Math.min(backoffMs * 2, 5_000);
          scheduleReconnect();
        },
      );
    }, backoffMs);
    retryTimer.unref();
  };

  const connect = (): Promise<Client> => {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      const fresh = newClient();
      fresh.on('error', () => lost(fresh));
      fresh.on('end', () => lost(fresh));
      fresh.on('notification', (message) => dispatch(message.channel, message.payload ?? ''));
      try {
        await fresh.connect();
        for (const channel of handlers.keys()) await fresh.query(`LISTEN ${quoteChannel(channel)}`);
      } catch (error) {
        fresh.removeAllListeners();
        fresh.on('error', () => {});
        await fresh.end().catch(() => {});
        throw error;
      }
      if (closed) {
        await fresh.end().catch(() => {});
        throw new Error('executor closed');
      }
      client = fresh;
      return fresh;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  return {
    async listen(channel, onNotify) {
      if (closed) throw new Error('executor closed');
      let set = handlers.get(channel);
      const fresh = set === undefined;
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(onNotify);
      try {
        const active = client ?? (await connect());
        // connect() already LISTENs on every known channel; a live client needs it now.
        if (fresh && active === client) await active.query(`LISTEN ${quoteChannel(channel)}`);
      } catch (error) {
        set.delete(onNotify);
        if (set.size === 0) handlers.delete(channel);
        throw error;
      }
      return async () => {
        const current = handlers.get(channel);
        if (!current?.delete(onNotify) || current.size > 0) return;
        handlers.delete(channel);
        await client?.query(`UNLISTEN ${quoteChannel(channel)}`).catch(() => {});
      };
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      handlers.clear();
      const current = client ?? (await connecting?.catch(() => null)) ?? null;
      client = null;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {});
      }
    },
  };
}
