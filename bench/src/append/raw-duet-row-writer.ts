import { categoryOf, newEventId } from '@duet/core';
import { createPgExecutor, migrate } from '@duet/postgres';
import type { AppendSystem } from './append-system.ts';
import { connectWriterClients, endWriterClients } from './writer-clients.ts';

const SCHEMA = 'raw_duet_row';

/**
 * Duet's row without Duet's logic: multi-row INSERTs straight into the events table of a
 * migrated Duet schema (its columns, its four indexes: the id, `(tenant, stream,
 * stream_version)`, `(tx_id, seq)` and `(category, tx_id, seq)`), one autocommit INSERT per
 * append, one connection per writer, as `raw-postgres` does with its one-index table. No
 * `append_events`: no streams row, no version check, no id probe, no NOTIFY. Between
 * `raw-postgres` and `duet` it separates what the row and its indexes cost from what the
 * store's logic costs.
 */
export async function openRawDuetRow(connectionString: string): Promise<AppendSystem> {
  const admin = createPgExecutor({ connectionString, max: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await migrate(admin, { schema: SCHEMA });
  } finally {
    await admin.close();
  }
  return {
    async openSession(shape) {
      const clients = await connectWriterClients(connectionString, shape.writers);
      const sql = insertSql(shape.batch);
      return {
        async append(writer, stream, version, events) {
          const recordedAt = new Date().toISOString();
          const category = categoryOf(stream);
          const params: unknown[] = [];
          events.forEach((event, index) => {
            params.push(
              newEventId(),
              stream,
              version + index + 1,
              category,
              event.type,
              JSON.stringify(event.data),
              recordedAt,
              index,
              events.length,
            );
          });
          await clients[writer]?.query({
            name: `raw_duet_row_${shape.batch}`,
            text: sql,
            values: params,
          });
        },
        close: () => endWriterClients(clients),
      };
    },
    async close() {},
  };
}

const COLUMNS = 9;

function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, row) => {
    const p = (n: number) => `$${row * COLUMNS + n}`;
    return `(${p(1)}::uuid, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 1, ${p(6)}::text::jsonb, '{}'::jsonb, ${p(7)}::timestamptz, ${p(8)}, ${p(9)})`;
  });
  return `INSERT INTO ${SCHEMA}.events (id, stream, stream_version, category, type, schema_version, data, metadata, recorded_at, append_index, append_size) VALUES ${values.join(', ')}`;
}
