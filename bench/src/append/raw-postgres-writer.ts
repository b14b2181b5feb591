import pg from 'pg';
import type { AppendSystem } from './append-system.ts';
import { connectWriterClients, endWriterClients } from './writer-clients.ts';

const SCHEMA = 'raw_bench';

/**
 * The raw limit of the same shape: one INSERT per append in its own (autocommit)
 * transaction, multi-row for batches, one connection per writer, no store logic: no
 * version check, no stream table, no notification.
 */
export async function openRawPostgres(connectionString: string): Promise<AppendSystem> {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`
    CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
    CREATE TABLE IF NOT EXISTS ${SCHEMA}.events (
      position bigserial PRIMARY KEY,
      stream text NOT NULL,
      version integer NOT NULL,
      type text NOT NULL,
      data jsonb NOT NULL
    )`);
  await admin.end();

  return {
    async openSession(shape) {
      const clients = await connectWriterClients(connectionString, shape.writers);
      const sql = insertSql(shape.batch);
      return {
        async append(writer, stream, version, events) {
          const params: unknown[] = [];
          events.forEach((event, index) => {
            params.push(stream, version + index + 1, event.type, JSON.stringify(event.data));
          });
          await clients[writer]?.query(sql, params);
        },
        close: () => endWriterClients(clients),
      };
    },
    async close() {},
  };
}

function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, row) => {
    const p = row * 4;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4})`;
  });
  return `INSERT INTO ${SCHEMA}.events (stream, version, type, data) VALUES ${values.join(', ')}`;
}
