import type { Position, ProcessorDefinition, ProjectionTables, RecordedEvent } from '@duet/core';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkpointsChannel } from './notify-channels.ts';
import type { PageReader } from './read-event-page.ts';

/** What the switch needs to apply the last few events itself (one-partition versions). */
export interface SwitchCatchUp {
  readonly reader: PageReader;
  readonly tables: ProjectionTables;
}

/**
 * The blue-green switch: makes a newer version the one queries read, with one UPDATE of
 * the projection's row, once every partition of it has caught up. It locks the active
 * version's checkpoints first, so the old version cannot move on meanwhile, and switches
 * only when the new version has reached where the old one stands: a query that waited for
 * a position on the old version still finds it on the new one. A one-partition version
 * that is a few events behind applies them here, under that lock, with its checkpoint
 * move, so the switch does not chase an old version that keeps moving. Resolves to true
 * when the version is active (now or already); false means "not yet, try again later".
 */
export async function switchVersion(
  readModels: SqlExecutor,
  schema: string,
  projection: ProcessorDefinition,
  catchUp?: SwitchCatchUp,
): Promise<boolean> {
  const s = quoteIdentifier(schema);
  const { name, version } = projection;
  // The missing events are read before the transaction: on PGlite the store may share the
  // one connection, and a read inside the transaction would wait for it forever.
  const prefetched = catchUp ? await prefetch(readModels, s, projection, catchUp) : null;
  return readModels.transaction(async (tx) => {
    const active = await tx.query<{ active_version: number }>(
      `SELECT active_version FROM ${s}.projections WHERE name = $1 FOR UPDATE`,
      [name],
    );
    const activeVersion = active.rows[0]?.active_version;
    if (activeVersion === undefined || activeVersion > version) return false;
    if (activeVersion === version) return true;
    const old = await tx.query<{ position: string }>(
      `SELECT position FROM ${s}.checkpoints WHERE name = $1 AND version = $2 FOR UPDATE`,
      [name, activeVersion],
    );
    const fresh = await tx.query<{ position: string; state: string }>(
      `SELECT position, state FROM ${s}.checkpoints WHERE name = $1 AND version = $2`,
      [name, version],
    );
    const oldMax = maxPosition(old.rows);
    const live =
      fresh.rows.length === projection.partitions &&
      fresh.rows.every((row) => row.state === 'live');
    if (!live) return false;
    if (fresh.rows.some((row) => row.position < oldMax)) {
      // Only what was read ahead, and only if the old version has not moved on since.
      const only = fresh.rows[0];
      if (!prefetched || only?.position !== prefetched.from || oldMax !== prefetched.to) {
        return false;
      }
      await applyPrefetched(tx, s, projection, catchUp!.tables, prefetched);
    }
    await tx.query(
      `UPDATE ${s}.projections SET active_version = $2, switched_at = now() WHERE name = $1`,
      [name, version],
    );
    await tx.query('SELECT pg_notify($1, $2)', [checkpointsChannel(schema), name]);
    return true;
  });
}

/** Position tokens sort as text. */
function maxPosition(rows: readonly { position: string }[]): string {
  return (
    rows
      .map((row) => row.position)
      .sort()
      .at(-1) ?? ''
  );
}

interface Prefetched {
  readonly from: string;
  readonly to: string;
  readonly events: readonly RecordedEvent[];
}

/**
 * The events a one-partition version lacks to reach the active version's checkpoint, read
 * without locks; the switch uses them only if both checkpoints are still where they were.
 */
async function prefetch(
  readModels: SqlExecutor,
  s: string,
  projection: ProcessorDefinition,
  { reader }: SwitchCatchUp,
): Promise<Prefetched | null> {
  // Parked streams are checked by the batch path only: leave 'park' projections to it; and
  // reactors and relays, whose sinks are the batch path's too.
  if (
    projection.kind !== 'projection' ||
    projection.partitions !== 1 ||
    projection.onFailure === 'park'
  ) {
    return null;
  }
  const { rows } = await readModels.query<{ version: number; position: string }>(
    `SELECT c.version, c.position FROM ${s}.checkpoints AS c
       JOIN ${s}.projections AS p ON p.name = c.name
      WHERE c.name = $1 AND (c.version = p.active_version OR c.version = $2)`,
    [projection.name, projection.version],
  );
  const from = rows.find((row) => row.version === projection.version)?.position;
  const to = maxPosition(rows.filter((row) => row.version !== projection.version));
  if (from === undefined || from >= to) return null;
  const events: RecordedEvent[] = [];
  let position = from as Position;
  while (position < to) {
    const page = await reader.read(position, 1_000);
    if (page.end === null) return null;
    events.push(...page.events.filter((event) => event.position <= to));
    position = page.end < to ? page.end : (to as Position);
  }
  return { from, to, events };
}

/** Applies the prefetched events and moves partition 0's checkpoint to where they end. */
async function applyPrefetched(
  tx: SqlTransaction,
  s: string,
  projection: ProcessorDefinition,
  tables: ProjectionTables,
  { from, to, events }: Prefetched,
): Promise<void> {
  if (events.length > 0 && projection.kind === 'projection') {
    await projection.apply(tx, events, tables);
  }
  const moved = await tx.query(
    `UPDATE ${s}.checkpoints SET position = $3, applied = applied + $4, updated_at = now()
      WHERE name = $1 AND version = $2 AND partition = 0 AND position = $5 RETURNING 1`,
    [projection.name, projection.version, to, events.length, from],
  );
  if (moved.rows.length === 0) throw new Error('checkpoint moved during the switch');
}
