import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import type { ProjectionFailure } from '../processor-types.ts';

/** A checkpoint row with its name's active version and a live owner's record. */
export interface StatusRow {
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly partitions: number;
  readonly position: string;
  readonly state: string;
  readonly applied: string;
  readonly error: ProjectionFailure | null;
  readonly active_version: number;
  /** From the owner row, when its heartbeat has not expired. */
  readonly owner: string | null;
  readonly batch_size: number | null;
  readonly events_done: string | null;
  readonly events_per_sec: number | null;
  readonly last_error: string | null;
}

// undefined_table, invalid_schema_name: the runner's tables are not migrated yet.
const missingCodes = new Set(['42P01', '3F000']);

/**
 * Checkpoints (of `names`, or all) with their name's active version and a live owner's
 * record, in one query; [] before the tables are migrated.
 */
export async function readStatusRows(
  readModels: Pick<SqlTransaction, 'query'>,
  schema: string,
  names: readonly string[] | null,
): Promise<StatusRow[]> {
  const s = quoteIdentifier(schema);
  try {
    const { rows } = await readModels.query<StatusRow>(
      `SELECT c.name, c.version, c.partition, c.partitions, c.position, c.state,
              c.applied::text AS applied, c.error, p.active_version,
              o.owner, o.batch_size, o.events_done::text AS events_done, o.events_per_sec,
              o.last_error
         FROM ${s}.checkpoints AS c
         JOIN ${s}.projections AS p ON p.name = c.name
         LEFT JOIN ${s}.owners AS o
           ON o.name = c.name AND o.version = c.version AND o.partition = c.partition
          AND o.expires_at > now()
        WHERE $1::text[] IS NULL OR c.name = ANY($1::text[])
        ORDER BY c.name, c.version, c.partition`,
      [names],
    );
    return rows;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !missingCodes.has(code)) throw error;
    // Not migrated yet: no processor has run here, nothing to report (status readers such as
    // health checks work before `migrate`). Tables from an older version are not that.
    const { rows } = await readModels.query<{ found: boolean }>(
      `SELECT to_regclass(format('%I.%I', $1::text, 'checkpoints')) IS NOT NULL AS found`,
      [schema],
    );
    if (rows[0]?.found) throw error;
    return [];
  }
}
