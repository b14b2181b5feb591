import pg from 'pg';

/** Server processes by whom they work for, to tell their CPU apart. */
export interface ServerPids {
  /** Backends connected to the bench database. */
  readonly ours: ReadonlySet<number>;
  /** Backends of other databases: other people's work on the same server. */
  readonly foreign: ReadonlySet<number>;
}

/** Finds which PostgreSQL processes serve the bench database and which serve others. */
export interface BackendMonitor {
  serverPids(): Promise<ServerPids>;
  close(): Promise<void>;
}

/** A monitor on its own connection (not the system's); none without a server (PGlite). */
export async function openBackendMonitor(databaseUrl: string | undefined): Promise<BackendMonitor> {
  if (databaseUrl === undefined) {
    return {
      serverPids: async () => ({ ours: new Set(), foreign: new Set() }),
      close: async () => {},
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    async serverPids() {
      // Processes without a database (WAL writer, checkpointer) are in neither set.
      const { rows } = await client.query<{ pid: number; ours: boolean }>(
        `SELECT pid, datname = current_database() AS ours FROM pg_stat_activity
          WHERE datname IS NOT NULL AND pid <> pg_backend_pid()`,
      );
      return {
        ours: new Set(rows.filter((row) => row.ours).map((row) => row.pid)),
        foreign: new Set(rows.filter((row) => !row.ours).map((row) => row.pid)),
      };
    },
    close: () => client.end(),
  };
}
