import { mkdir } from 'node:fs/promises';
import { createPGliteExecutor, createPgExecutor, type SqlExecutor } from '@duet/postgres';
import { PGlite } from '@electric-sql/pglite';

export interface ShopDatabase {
  readonly executor: SqlExecutor;
  /** Where the data lives, for the start-up message (a password in a URL is hidden). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL when `databaseUrl` is set, otherwise embedded PGlite in `dataDir` (created on
 * first run). Embedded mode is one PGlite for the whole process (STACK.md): every service
 * gets its own schema in it.
 */
export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
}): Promise<ShopDatabase> {
  if (options.databaseUrl) {
    const executor = createPgExecutor({ connectionString: options.databaseUrl });
    const url = new URL(options.databaseUrl);
    if (url.password) url.password = '***';
    return { executor, description: `PostgreSQL ${url.toString()}`, close: () => executor.close() };
  }
  await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir });
  const executor = createPGliteExecutor(db);
  return {
    executor,
    description: `PGlite in ${options.dataDir}`,
    async close() {
      await executor.close();
      await db.close();
    },
  };
}
