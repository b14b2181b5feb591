import pg from 'pg';

/** What the bench database's backends were doing, counted over samples. */
export interface WaitCounts {
  readonly samples: number;
  /** Active backends by `wait_event_type:wait_event` (`CPU:running` when none). */
  readonly waits: Readonly<Record<string, number>>;
  /** Lock requests not granted, by `locktype:mode` (`:notify` for the NOTIFY queue's lock). */
  readonly ungranted_locks: Readonly<Record<string, number>>;
  /**
   * Who held the notify lock when sampled: `ours` (a backend of the bench database) or
   * `others` (another database on the same server: the lock is server-wide).
   */
  readonly notify_lock_held_by: Readonly<Record<string, number>>;
}

/**
 * Samples `pg_stat_activity` (the bench database's active backends) and `pg_locks` (lock
 * requests waiting) every `everyMs` on a connection of its own, until `stop()`.
 * A notifying transaction takes an exclusive lock on the database object 0 of
 * `pg_database` at commit (PostgreSQL's async.c, "serialize notifying transactions");
 * waiting for it shows as `Lock:object` and `object:AccessExclusiveLock:notify`.
 *
 * @example
 * const sampler = await startWaitSampler(url, 50);
 * ...; const counts = await sampler.stop();
 */
export async function startWaitSampler(
  databaseUrl: string,
  everyMs: number,
): Promise<{ stop(): Promise<WaitCounts> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const waits: Record<string, number> = {};
  const locks: Record<string, number> = {};
  const held: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const add = (into: Record<string, number>, key: string, n: number) => {
    into[key] = (into[key] ?? 0) + n;
  };
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const activity = await client.query<{ w: string; n: string }>(
        `SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, 'running') AS w,
                count(*) AS n
           FROM pg_stat_activity
          WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
          GROUP BY 1`,
      );
      const waiting = await client.query<{ l: string; n: string }>(
        `SELECT locktype || ':' || mode ||
                CASE WHEN classid = 'pg_database'::regclass AND objid = 0 THEN ':notify' ELSE '' END AS l,
                count(*) AS n
           FROM pg_locks WHERE NOT granted GROUP BY 1`,
      );
      const holders = await client.query<{ who: string; n: string }>(
        `SELECT CASE WHEN a.datname = current_database() THEN 'ours' ELSE 'others' END AS who,
                count(*) AS n
           FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid)
          WHERE l.granted AND l.locktype = 'object'
            AND l.classid = 'pg_database'::regclass AND l.objid = 0
          GROUP BY 1`,
      );
      samples += 1;
      for (const row of activity.rows) add(waits, row.w, Number(row.n));
      for (const row of waiting.rows) add(locks, row.l, Number(row.n));
      for (const row of holders.rows) add(held, row.who, Number(row.n));
      const rest = everyMs - (performance.now() - started);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      return { samples, waits, ungranted_locks: locks, notify_lock_held_by: held };
    },
  };
}
