import { categoryOf, newEventId } from '@duet/core';
import { createPgExecutor, migrate } from '@duet/postgres';
import type { AppendSystem } from './append-system.ts';
import { connectWriterClients, endWriterClients } from './writer-clients.ts';

/**
 * Duet's row without Duet's logic: multi-row INSERTs straight into the events table of a
 * migrated Duet schema (its columns, its four indexes: the id, `(tenant, stream,
 * stream_version)`, `(tx_id, seq)` and `(category, tx_id, seq)`), one autocommit INSERT per
 * append, one connection per writer, as `raw-postgres` does with its one-index table. No
 * `append_events`: no streams row, no version check, no id probe, no NOTIFY. Between
 * `raw-postgres` and `duet` it separates what the row and its indexes cost from what the
 * store's logic costs. `withoutCategoryIndex` drops `(category, tx_id, seq)`, the index
 * category reads (processors) use, to show what that one index costs.
 */
export async function openRawDuetRow(
  connectionString: string,
  options: { readonly withoutCategoryIndex: boolean },
): Promise<AppendSystem> {
  const schema = options.withoutCategoryIndex ? 'raw_duet_row_no_category' : 'raw_duet_row';
  const admin = createPgExecutor({ connectionString, max: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await migrate(admin, { schema });
    if (options.withoutCategoryIndex) {
      await admin.query(`DROP INDEX ${schema}.events_category_tx_id_seq`);
    }
  } finally {
    await admin.close();
  }
  return {
    async openSession(shape) {
      const clients = await connectWriterClients(connectionString, shape.writers);
      const sql = insertSql(schema, shape.batch);
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
            name: `${schema}_${shape.batch}`,
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

function insertSql(schema: string, rows: number): string {
  const values = Array.from({ length: rows }, (_, row) => {
    const p = (n: number) => `$${row * COLUMNS + n}`;
    return `(${p(1)}::uuid, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 1, ${p(6)}::text::jsonb, '{}'::jsonb, ${p(7)}::timestamptz, ${p(8)}, ${p(9)})`;
  });
  return `INSERT INTO ${schema}.events (id, stream, stream_version, category, type, schema_version, data, metadata, recorded_at, append_index, append_size) VALUES ${values.join(', ')}`;
}
