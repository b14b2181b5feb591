import { createPgExecutor, openPGlite, type SqlExecutor } from '@duet/postgres';

export interface ShopDatabase {
  readonly executor: SqlExecutor;
  /** Where the data lives, for the start-up message (a password in a URL is hidden). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL when `databaseUrl` is set, otherwise embedded PGlite in `dataDir` (created on
 * first run). Embedded mode is one PGlite for the whole process (STACK.md): every service
 * gets its own schema in it. While it runs it holds the directory's lock: a second shop or
 * a `duet` command on the directory gets `PGliteDirectoryInUseError`.
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
  const pglite = await openPGlite(options.dataDir);
  return {
    executor: pglite.executor,
    description: `PGlite in ${options.dataDir}`,
    close: () => pglite.close(),
  };
}
