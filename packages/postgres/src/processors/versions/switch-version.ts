import type { Position, ProcessorDefinition, ProjectionTables, RecordedEvent } from '@duet/core';
import type { SqlExecutor, SqlTransaction } from '../../executor/sql-executor.ts';
import type { PageReader } from '../runner/read-event-page.ts';
import {
  advanceCheckpoint,
  notifyCheckpointMoved,
  readActiveAndVersionCheckpoints,
  readVersionCheckpoints,
} from '../tables/checkpoints-table.ts';
import { readActiveVersion, setActiveVersion } from '../tables/registry-table.ts';

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
  const { name, version } = projection;
  // The missing events are read before the transaction: on PGlite the store may share the
  // one connection, and a read inside the transaction would wait for it forever.
  const prefetched = catchUp ? await prefetch(readModels, schema, projection, catchUp) : null;
  return readModels.transaction(async (tx) => {
    const activeVersion = await readActiveVersion(tx, schema, name, 'update');
    if (activeVersion === undefined || activeVersion > version) return false;
    if (activeVersion === version) return true;
    const old = await readVersionCheckpoints(tx, schema, name, activeVersion, true);
    const fresh = await readVersionCheckpoints(tx, schema, name, version);
    const oldMax = maxPosition(old);
    const live =
      fresh.length === projection.partitions && fresh.every((row) => row.state === 'live');
    if (!live) return false;
    if (fresh.some((row) => row.position < oldMax)) {
      // Only what was read ahead, and only if the old version has not moved on since.
      const only = fresh[0];
      if (!prefetched || only?.position !== prefetched.from || oldMax !== prefetched.to) {
        return false;
      }
      await applyPrefetched(tx, schema, projection, catchUp!.tables, prefetched);
    }
    await setActiveVersion(tx, schema, name, version);
    await notifyCheckpointMoved(tx, schema, name);
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
  schema: string,
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
  const rows = await readActiveAndVersionCheckpoints(
    readModels,
    schema,
    projection.name,
    projection.version,
  );
  const from = rows.find((row) => row.version === projection.version)?.position;
  const to = maxPosition(rows.filter((row) => row.version !== projection.version));
  if (from === undefined || from >= to) return null;
  const events: RecordedEvent[] = [];
  let position = from as Position;
  while (position < to) {
    const page = await reader.read(position, 1_000);
    // An undecodable event is the batch path's to hand to the failure policy.
    if (page.end === null || page.undecodable.size > 0) return null;
    events.push(...page.events.filter((event) => event.position <= to));
    position = page.end < to ? page.end : (to as Position);
  }
  return { from, to, events };
}

/** Applies the prefetched events and moves partition 0's checkpoint to where they end. */
async function applyPrefetched(
  tx: SqlTransaction,
  schema: string,
  projection: ProcessorDefinition,
  tables: ProjectionTables,
  { from, to, events }: Prefetched,
): Promise<void> {
  if (events.length > 0 && projection.kind === 'projection') {
    await projection.apply(tx, events, tables);
  }
  const key = { name: projection.name, version: projection.version, partition: 0 };
  const moved = await advanceCheckpoint(tx, schema, key, {
    expected: from,
    end: to,
    applied: events.length,
  });
  if (!moved) throw new Error('checkpoint moved during the switch');
}
