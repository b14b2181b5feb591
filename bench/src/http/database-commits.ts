import pg from 'pg';

/**
 * The database's committed transactions so far (`pg_stat_database.xact_commit`; the
 * counters lag by up to a second), or null when it cannot be read.
 *
 * @example
 * const before = await databaseCommits(url); // ... later, after - before
 */
export async function databaseCommits(databaseUrl: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ commits: string }>(
      'SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()',
    );
    return rows[0] ? Number(rows[0].commits) : null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}
