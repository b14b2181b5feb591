import type { Pool, PoolClient } from 'pg';
import type { SqlSession } from './sql-executor.ts';

/** The session a connection is wanted in: a session's key, '' for none, or any. */
export type WantedSession = string | typeof ANY_SESSION;

/** For a statement that may run in whatever session its connection is in. */
export const ANY_SESSION = Symbol('any session');

/** How far down the queue a released connection looks for a caller of its session. */
const LOOK_AHEAD = 16;
/** How often the oldest caller may be passed over for one of a connection's session. */
const MAX_PASSED_OVER = 8;

/**
 * The connections of a pool the executor owns, with the session each is in, handed out by
 * session: pg's pool hands out whichever connection was released last (or to whoever
 * waited longest), and with several tenants busy most statements had to switch first
 * (issue 14: 8 tenants' commands on 10 connections switched on 1.2 of every command).
 *
 * Idle connections are kept here, and a statement takes one already in its session when
 * there is one. When all are in use, callers queue here, and a released connection goes
 * to the first caller of its session among the first 16, else to the oldest; the oldest
 * is passed over at most 8 times, so nobody waits for ever. New connections come from pg's
 * pool up to its `max`. A connection goes back to pg's pool when it failed (pg's pool then
 * drops it) or someone waits there, and every idle one when the executor closes; one that
 * breaks while idle here is dropped at once, as pg's pool drops its own. One idle here
 * longer than the pool's `idleTimeoutMillis` (10 s unless set; 0 never) is closed down to
 * its `min`, as pg's pool closes its own, so a burst's connections do not stay open on the server for ever.
 */
export interface SessionConnections {
  checkOut(wanted: WantedSession): Promise<PoolClient>;
  /** Back to the idle ones or a waiting caller, or (with an error) out of the pool. */
  release(client: PoolClient, error?: Error | true): void;
  sessionOf(client: PoolClient): SqlSession | undefined;
  /** Records the session `client` is in now (undefined: none, or unknown after a failure). */
  setSession(client: PoolClient, session: SqlSession | undefined): void;
  /** Hands every idle connection back to pg's pool, before it ends. */
  close(): void;
}

interface Waiter {
  readonly wanted: WantedSession;
  readonly resolve: (client: PoolClient) => void;
  readonly reject: (error: unknown) => void;
  passedOver: number;
}

export function createSessionConnections(
  pool: Pick<Pool, 'connect' | 'totalCount' | 'waitingCount' | 'options'>,
  now: () => number = performance.now.bind(performance),
): SessionConnections {
  const sessions = new WeakMap<PoolClient, SqlSession>();
  // Most recently released last.
  const idle: PoolClient[] = [];
  const parkedAt = new WeakMap<PoolClient, number>();
  const waiters: Waiter[] = [];
  const max = pool.options.max ?? 10;
  const idleTimeoutMs = pool.options.idleTimeoutMillis ?? 10_000;
  let closed = false;
  let sweep: NodeJS.Timeout | undefined;

  const keyOf = (client: PoolClient) => sessions.get(client)?.key ?? '';
  const fits = (wanted: WantedSession, client: PoolClient) =>
    wanted === ANY_SESSION || wanted === keyOf(client);
  const take = (index: number) => idle.splice(index, 1)[0] as PoolClient;
  // One listener per connection for its life: a connection that breaks while idle here
  // is dropped (while in use, the statement that uses it fails and drops it).
  const watched = new WeakSet<PoolClient>();
  const park = (client: PoolClient) => {
    if (!watched.has(client)) {
      watched.add(client);
      const drop = () => {
        const index = idle.indexOf(client);
        if (index < 0) return;
        take(index).release(true);
        serveFromPool();
      };
      client.on('error', drop);
      client.on('end', drop);
    }
    idle.push(client);
    parkedAt.set(client, now());
    if (idleTimeoutMs > 0 && sweep === undefined) scheduleSweep(idleTimeoutMs);
  };
  /** Closes the connections idle longer than the timeout: the oldest parked come first. */
  const closeIdle = () => {
    sweep = undefined;
    const cutoff = now() - idleTimeoutMs;
    const aboveMin = () => pool.totalCount > (pool.options.min ?? 0);
    while (idle.length > 0 && (parkedAt.get(idle[0]!) ?? 0) <= cutoff && aboveMin()) {
      take(0).release(true);
    }
    const oldest = idle[0];
    if (oldest !== undefined && aboveMin()) {
      scheduleSweep(Math.max(1, (parkedAt.get(oldest) ?? 0) + idleTimeoutMs - now()));
    }
  };
  // Unref'd: the timer alone keeps no process alive (the executor's close() ends the pool).
  const scheduleSweep = (ms: number) => {
    sweep = setTimeout(closeIdle, ms);
    sweep.unref();
  };
  /** A connection left the pool for good: the oldest caller gets a new one in its place. */
  const serveFromPool = () => {
    const waiter = waiters.shift();
    if (waiter) pool.connect().then(waiter.resolve, waiter.reject);
  };
  const handOver = (client: PoolClient) => {
    let chosen = 0;
    const oldest = waiters[0]!;
    if (!fits(oldest.wanted, client) && oldest.passedOver < MAX_PASSED_OVER) {
      const limit = Math.min(waiters.length, LOOK_AHEAD);
      for (let index = 1; index < limit; index++) {
        if (fits(waiters[index]!.wanted, client)) {
          chosen = index;
          oldest.passedOver += 1;
          break;
        }
      }
    }
    const [waiter] = waiters.splice(chosen, 1) as [Waiter];
    waiter.resolve(client);
  };

  return {
    checkOut(wanted) {
      if (idle.length > 0) {
        const match = idle.findLastIndex((client) => fits(wanted, client));
        return Promise.resolve(take(match >= 0 ? match : idle.length - 1));
      }
      if (closed || pool.totalCount < max) return pool.connect();
      return new Promise((resolve, reject) => {
        waiters.push({ wanted, resolve, reject, passedOver: 0 });
      });
    },
    release(client, error) {
      if (error !== undefined) {
        client.release(error);
        serveFromPool();
      } else if (closed || pool.waitingCount > 0) {
        client.release();
      } else if (waiters.length > 0) {
        handOver(client);
      } else {
        park(client);
      }
    },
    sessionOf: (client) => sessions.get(client),
    setSession(client, session) {
      if (session) sessions.set(client, session);
      else sessions.delete(client);
    },
    close() {
      closed = true;
      clearTimeout(sweep);
      sweep = undefined;
      while (idle.length > 0) take(idle.length - 1).release();
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new Error('the executor was closed while this statement waited for a connection'),
        );
      }
    },
  };
}
