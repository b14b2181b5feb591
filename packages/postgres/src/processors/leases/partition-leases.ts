import { createRequire } from 'node:module';
import type { Client } from 'pg';
import { messageOf } from '../runner/poisoned-event-error.ts';

/** A partition to lease: its lock name and what to do when it is won or given back. */
export interface LeaseUnit {
  readonly key: string;
}

export interface PartitionLeasesOptions<U extends LeaseUnit> {
  readonly connectionString: string;
  /** Names the runners' membership lock (the runner's schema). */
  readonly group: string;
  readonly claimIntervalMs: number;
  readonly heartbeatMs: number;
  units(): readonly U[];
  acquired(unit: U): void;
  /** Stop the unit's worker; the lock is released once this resolves. */
  release(unit: U): Promise<void>;
  /** The connection broke: every unit must stop at once (its locks are gone). */
  lost(error: string): Promise<void>;
}

export interface PartitionLeases {
  start(): Promise<void>;
  /** Gives one unit back (its worker ended on its own). */
  give(key: string): Promise<void>;
  /** The units this process holds. */
  held(): ReadonlySet<string>;
  stop(): Promise<void>;
}

/**
 * Partitions leased through PostgreSQL session advisory locks on one dedicated connection
 * (never a pooled one: a session lock belongs to the connection). A crashed process's
 * session ends and its locks free at once; the others look for free partitions every
 * `claimIntervalMs`, so takeover is bounded by it. Each process takes a fair share,
 * ceil(units / runners), counting runners by a shared membership lock, and gives back the
 * surplus when runners join. If the connection breaks, every partition stops.
 */
export function createPartitionLeases<U extends LeaseUnit>(
  options: PartitionLeasesOptions<U>,
): PartitionLeases {
  const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
  const held = new Set<string>();
  let client: Client | null = null;
  let timers: NodeJS.Timeout[] = [];
  let stopped = false;
  let claiming: Promise<void> | null = null;
  const membership = `duet.projection-runners.${options.group}`;

  const connect = async () => {
    const fresh = new pg.Client({ connectionString: options.connectionString });
    const onLost = (error: unknown) => void lose(fresh, messageOf(error ?? 'connection ended'));
    fresh.on('error', onLost);
    fresh.on('end', () => onLost(new Error('lease connection ended')));
    await fresh.connect();
    await fresh.query('SELECT pg_advisory_lock_shared(hashtextextended($1, 0))', [membership]);
    client = fresh;
  };

  const lose = async (dead: Client, reason: string) => {
    if (client !== dead) return;
    client = null;
    held.clear();
    dead.end().catch(() => {});
    await options.lost(reason);
  };

  const runners = async (active: Client): Promise<number> => {
    const { rows } = await active.query<{ n: number }>(
      `SELECT count(*)::integer AS n
         FROM pg_locks AS l, (SELECT hashtextextended($1, 0) AS k) AS key
        WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
          AND l.classid = ((key.k >> 32) & 4294967295)::oid
          AND l.objid = (key.k & 4294967295)::oid`,
      [membership],
    );
    return Math.max(1, rows[0]?.n ?? 1);
  };

  const claimOnce = async () => {
    if (stopped) return;
    if (!client) {
      await connect();
    }
    const active = client!;
    const units = options.units();
    const fair = Math.ceil(units.length / (await runners(active)));
    // Give back the surplus first, so runners that joined get their share.
    for (const unit of units) {
      if (held.size <= fair) break;
      if (!held.has(unit.key)) continue;
      await options.release(unit);
      held.delete(unit.key);
      await active.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [unit.key]);
    }
    for (const unit of units) {
      if (held.size >= fair || stopped || client !== active) break;
      if (held.has(unit.key)) continue;
      const { rows } = await active.query<{ won: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS won',
        [unit.key],
      );
      if (rows[0]?.won) {
        held.add(unit.key);
        options.acquired(unit);
      }
    }
  };

  const claim = () => {
    claiming ??= claimOnce()
      .catch(() => {}) // a broken connection is handled by lose(); try again next round
      .finally(() => {
        claiming = null;
      });
    return claiming;
  };

  const heartbeat = () => {
    const active = client;
    active?.query('SELECT 1').catch((error: unknown) => lose(active, messageOf(error)));
  };

  return {
    async start() {
      stopped = false;
      await connect();
      await claim();
      timers = [
        setInterval(() => void claim(), options.claimIntervalMs),
        setInterval(heartbeat, options.heartbeatMs),
      ];
    },
    async give(key) {
      if (!held.delete(key)) return;
      await client
        ?.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
        .catch(() => {});
    },
    held: () => held,
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      timers = [];
      await claiming;
      const current = client;
      client = null;
      held.clear();
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {}); // ending the session frees every lock
      }
    },
  };
}
