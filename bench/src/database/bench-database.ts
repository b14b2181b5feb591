import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database made for one bench run; `drop()` removes it even with clients still connected. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Creates `duet_bench_<random>_<label>` on the server of `serverUrl`, so runs never see
 * each other's data.
 *
 * @example
 * const db = await createBenchDatabase('postgres://root@127.0.0.1:5432/test', 'emmett');
 * try { ... } finally { await db.drop(); }
 */
export async function createBenchDatabase(
  serverUrl: string,
  label: string,
): Promise<BenchDatabase> {
  const name = `duet_bench_${randomBytes(4).toString('hex')}_${label}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withAdmin(serverUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

async function withAdmin<T>(serverUrl: string, use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}
