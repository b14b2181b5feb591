import { type StreamInfo, toStreamName } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { rowPosition } from './event-row.ts';

interface StreamInfoRow {
  readonly version: number;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
  readonly tx_id: string;
  readonly seq: string;
}

const toIso = (value: Date | string) => new Date(value).toISOString();

/** A stream's version, times and last position, or null when it has no events. */
export async function streamInfo(
  executor: SqlExecutor,
  schema: string,
  stream: string,
): Promise<StreamInfo | null> {
  // Refused before the query: a NUL would come back as a driver error, not a typed one.
  const name = toStreamName(stream);
  try {
    const { rows } = await executor.query<StreamInfoRow>(
      `SELECT s.version::integer AS version, s.created_at, s.updated_at,
              e.tx_id::text AS tx_id, e.seq::text AS seq
         FROM "${schema}".streams AS s
         JOIN "${schema}".events AS e
           ON e.tenant = s.tenant AND e.stream = s.stream AND e.stream_version = s.version
        WHERE s.tenant = ${CURRENT_TENANT_SQL} AND s.stream = $1`,
      [stream],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      stream: name,
      version: row.version,
      position: rowPosition(row),
      createdAt: toIso(row.created_at),
      updatedAt: toIso(row.updated_at),
    };
  } catch (error) {
    throw explainMissingSchema(error, schema);
  }
}
