import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../test-support/stress.ts';
import { createSessionConnections } from './session-connections.ts';

const databaseUrl = inject('databaseUrl');

// The hand-out by session keeps idle connections itself, out of pg's pool: one whose
// server session ends while it is idle must leave, as pg's pool drops its own.
describe.runIf(databaseUrl !== null)('connections handed out by session, on PostgreSQL', () => {
  it('given idle connections whose server sessions were ended, when they have closed, then they left the pool and statements run on new connections', async () => {
    const app = `duet_idle_${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({
      connectionString: `${databaseUrl!}${databaseUrl!.includes('?') ? '&' : '?'}application_name=${app}`,
      max: 3,
    });
    pool.on('error', () => {});
    const admin = new pg.Client({ connectionString: databaseUrl! });
    await admin.connect();
    const connections = createSessionConnections(pool);
    try {
      const first = await Promise.all([0, 1, 2].map(() => connections.checkOut('')));
      for (const client of first) client.on('error', () => {});
      for (const client of first) connections.release(client);
      expect(pool.totalCount).toBe(3);
      const { rows } = await admin.query<{ ended: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      expect(rows.map((row) => row.ended)).toEqual([true, true, true]);
      // The condition itself: pg's pool counts a connection until it is released out of it.
      await waitUntil(async () => pool.totalCount === 0, {
        what: () => `${pool.totalCount} connections to leave`,
      });
      const next = await Promise.all([0, 1, 2].map(() => connections.checkOut('')));
      expect(next.some((client) => first.includes(client))).toBe(false);
      const answers = await Promise.all(
        next.map(async (client) => (await client.query<{ n: number }>('SELECT 1 AS n')).rows[0]),
      );
      expect(answers).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
      for (const client of next) connections.release(client);
    } finally {
      connections.close();
      await pool.end();
      await admin.end();
    }
  });
});
