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
  /** Set while an operator has paused the name. */
  readonly paused_at: string | null;
  readonly paused_by: string | null;
  /** From the owner row, when its heartbeat has not expired. */
  readonly owner: string | null;
  readonly batch_size: number | null;
  readonly events_done: string | null;
  readonly events_per_sec: number | null;
  readonly last_error: string | null;
  /** Time since the checkpoint row last changed, in the read-model database's clock. */
  readonly unmoved_ms: number;
  /** The last heartbeat recorded for the partition, expired or not. */
  readonly last_owner: string | null;
  readonly heartbeat_age_ms: number | null;
}

// undefined_table, invalid_schema_name: the runner's tables are not migrated yet.
const missingCodes = new Set(['42P01', '3F000']);

/**
 * Checkpoints (of `names`, or all) with their name's active version, a live owner's
 * record and the last heartbeat of any (a dead runner's stays until it expires and
 * another replaces it), in one query; [] before the tables are migrated.
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
              to_char(p.paused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS paused_at,
              p.paused_by,
              o.owner, o.batch_size, o.events_done::text AS events_done, o.events_per_sec,
              o.last_error,
              (extract(epoch FROM clock_timestamp() - c.updated_at) * 1000)::float8 AS unmoved_ms,
              b.owner AS last_owner,
              (extract(epoch FROM clock_timestamp() - b.heartbeat_at) * 1000)::float8 AS heartbeat_age_ms
         FROM ${s}.checkpoints AS c
         JOIN ${s}.projections AS p ON p.name = c.name
         LEFT JOIN ${s}.owners AS o
           ON o.name = c.name AND o.version = c.version AND o.partition = c.partition
          AND o.expires_at > now()
         LEFT JOIN ${s}.owners AS b
           ON b.name = c.name AND b.version = c.version AND b.partition = c.partition
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
