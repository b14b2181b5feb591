import { type Position, START_POSITION } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { rowPosition } from './event-row.ts';
import { readHorizonSql } from './read-horizon.ts';

/** The last position `readAll` can return now: the same visibility rule, read backwards. */
export async function headPosition(executor: SqlExecutor, schema: string): Promise<Position> {
  try {
    const { rows } = await executor.query<{ tx_id: string; seq: string }>(
      `WITH horizon AS MATERIALIZED (${readHorizonSql(schema)})
       SELECT e.tx_id::text AS tx_id, e.seq::text AS seq
         FROM "${schema}".events AS e, horizon
        WHERE e.tx_id < horizon.h
        ORDER BY e.tx_id DESC, e.seq DESC
        LIMIT 1`,
    );
    const row = rows[0];
    return row ? rowPosition(row) : START_POSITION;
  } catch (error) {
    throw explainMissingSchema(error, schema);
  }
}
