import { EventEmitter } from 'node:events';
import type { PoolClient } from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANY_SESSION, createSessionConnections } from './session-connections.ts';

/** A pool of fake connections: counts them, and records how each was given back. */
function fakePool(max: number, idle: { idleTimeoutMillis?: number; min?: number } = {}) {
  let created = 0;
  const released: { name: string; error: unknown }[] = [];
  const pool = {
    options: { max, ...idle },
    totalCount: 0,
    waitingCount: 0,
    async connect() {
      if (pool.totalCount >= max) throw new Error('the fake pool is full');
      pool.totalCount += 1;
      const client = Object.assign(new EventEmitter(), {
        name: `c${++created}`,
        release(error?: unknown) {
          released.push({ name: client.name, error });
          if (error !== undefined) pool.totalCount -= 1;
        },
      });
      return client as unknown as PoolClient & { name: string };
    },
  };
  return { pool, released };
}

const session = (key: string) => ({ key, enter: `enter ${key}`, leave: `leave ${key}` });
const nameOf = (client: PoolClient) => (client as unknown as { name: string }).name;

describe('session connections', () => {
  it('given idle connections in several sessions, when a statement of one session checks out, then it gets the connection in that session, not the last released', async () => {
    const { pool } = fakePool(3);
    const connections = createSessionConnections(pool as never);
    const [a, b, none] = await Promise.all([
      connections.checkOut('a'),
      connections.checkOut('b'),
      connections.checkOut(''),
    ]);
    connections.setSession(a, session('a'));
    connections.setSession(b, session('b'));
    for (const client of [a, b, none]) connections.release(client);
    expect(nameOf(await connections.checkOut('a'))).toBe(nameOf(a));
    expect(nameOf(await connections.checkOut(''))).toBe(nameOf(none));
    // No connection in session 'c': the one released last of those left.
    expect(nameOf(await connections.checkOut('c'))).toBe(nameOf(b));
  });

  it('given every connection in use, when one is released, then the first waiting statement of its session gets it, ahead of an older one of another session', async () => {
    const { pool } = fakePool(2);
    const connections = createSessionConnections(pool as never);
    const a = await connections.checkOut('a');
    const b = await connections.checkOut('b');
    connections.setSession(a, session('a'));
    connections.setSession(b, session('b'));
    const order: string[] = [];
    const wantsB = connections.checkOut('b').then((client) => order.push(`b:${nameOf(client)}`));
    const wantsA = connections.checkOut('a').then((client) => order.push(`a:${nameOf(client)}`));
    const wantsAny = connections
      .checkOut(ANY_SESSION)
      .then((client) => order.push(`any:${nameOf(client)}`));
    connections.release(a);
    await wantsA;
    connections.release(b);
    await wantsB;
    expect(order).toEqual([`a:${nameOf(a)}`, `b:${nameOf(b)}`]);
    connections.release(a);
    await wantsAny;
    expect(order.at(-1)).toBe(`any:${nameOf(a)}`);
  });

  it('given the oldest waiting statement of a session no connection is in, when connections of another session keep coming back, then it is passed over at most 8 times', async () => {
    const { pool } = fakePool(1);
    const connections = createSessionConnections(pool as never);
    const a = await connections.checkOut('a');
    connections.setSession(a, session('a'));
    let servedZ = -1;
    let releases = 0;
    const wantsZ = connections.checkOut('z').then((client) => {
      servedZ = releases;
      return client;
    });
    // Twenty statements of session 'a' queue behind it; each gives the connection back.
    const others = Array.from({ length: 20 }, () =>
      connections.checkOut('a').then((client) => {
        setImmediate(() => {
          releases += 1;
          connections.release(client);
        });
      }),
    );
    releases += 1;
    connections.release(a);
    const z = await wantsZ;
    expect(servedZ).toBe(9);
    connections.release(z);
    await Promise.all(others);
  });

  it('given an idle connection that breaks, when the next statement checks out, then it gets a new connection and the broken one left the pool', async () => {
    const { pool, released } = fakePool(2);
    const connections = createSessionConnections(pool as never);
    const first = await connections.checkOut('');
    connections.release(first);
    (first as unknown as EventEmitter).emit('error', new Error('terminated'));
    expect(released.at(-1)).toEqual({ name: nameOf(first), error: true });
    const next = await connections.checkOut('');
    expect(nameOf(next)).not.toBe(nameOf(first));
  });

  it('given a statement waiting for a connection, when a connection in use fails, then the waiting statement gets a new connection', async () => {
    const { pool, released } = fakePool(1);
    const connections = createSessionConnections(pool as never);
    const only = await connections.checkOut('');
    const waiting = connections.checkOut('');
    const failure = new Error('connection lost');
    connections.release(only, failure);
    expect(released).toEqual([{ name: nameOf(only), error: failure }]);
    expect(nameOf(await waiting)).not.toBe(nameOf(only));
  });

  it('given a statement waiting for a connection, when the executor closes, then it is refused and idle connections go back to the pool', async () => {
    const { pool, released } = fakePool(1);
    const connections = createSessionConnections(pool as never);
    const only = await connections.checkOut('');
    const waiting = connections.checkOut('');
    connections.close();
    await expect(waiting).rejects.toThrow('closed');
    connections.release(only);
    expect(released).toEqual([{ name: nameOf(only), error: undefined }]);
  });

  describe('idle connections', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("given connections idle past the pool's idleTimeoutMillis, then they are closed, oldest first, down to its min; a later statement gets a new one", async () => {
      vi.useFakeTimers();
      const { pool, released } = fakePool(3, { idleTimeoutMillis: 1_000, min: 1 });
      const connections = createSessionConnections(pool as never, () => Date.now());
      const [a, b, c] = await Promise.all([0, 1, 2].map(() => connections.checkOut('')));
      connections.release(a!);
      vi.advanceTimersByTime(400);
      connections.release(b!);
      connections.release(c!);
      vi.advanceTimersByTime(700);
      // a was idle 1.1 s, b and c 0.7 s.
      expect(released).toEqual([{ name: nameOf(a!), error: true }]);
      vi.advanceTimersByTime(400);
      // b's time is up too; c stays: the pool's min is 1.
      expect(released.map((r) => r.name)).toEqual([nameOf(a!), nameOf(b!)]);
      vi.advanceTimersByTime(10_000);
      expect(released).toHaveLength(2);
      expect(nameOf(await connections.checkOut(''))).toBe(nameOf(c!));
      const fresh = await connections.checkOut('');
      expect([nameOf(a!), nameOf(b!), nameOf(c!)]).not.toContain(nameOf(fresh));
    });

    it('given a connection taken again before its time was up, then it is not closed; given idleTimeoutMillis 0, then none is', async () => {
      vi.useFakeTimers();
      const { pool, released } = fakePool(1, { idleTimeoutMillis: 1_000 });
      const connections = createSessionConnections(pool as never, () => Date.now());
      const only = await connections.checkOut('');
      connections.release(only);
      vi.advanceTimersByTime(900);
      const again = await connections.checkOut('');
      vi.advanceTimersByTime(900);
      connections.release(again);
      vi.advanceTimersByTime(900);
      expect(released).toEqual([]);
      vi.advanceTimersByTime(200);
      expect(released).toEqual([{ name: nameOf(only), error: true }]);

      const never = fakePool(1, { idleTimeoutMillis: 0 });
      const kept = createSessionConnections(never.pool as never, () => Date.now());
      kept.release(await kept.checkOut(''));
      vi.advanceTimersByTime(3_600_000);
      expect(never.released).toEqual([]);
    });
  });
});
