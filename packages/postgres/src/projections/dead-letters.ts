import { DuetError, type ProcessorDefinition, type RecordedEvent } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { projectionTables } from '../read-models/projection-tables.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkpointsChannel } from './notify-channels.ts';
import type { DeadLetter, DeadLetters } from './projection-runner.ts';
import { handleWithInbox } from './reactor-inbox.ts';

interface Row {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly event: RecordedEvent;
  readonly error: string;
  readonly parked: boolean;
  readonly created_at: string;
}

// Selected from `dead_letters AS d`; ordering by d.id (the bigint), not the text alias.
const columns = `d.id::text AS id, d.name, d.version, d.partition, d.event, d.error, d.parked,
  to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

const toDeadLetter = (row: Row): DeadLetter => ({
  id: row.id,
  name: row.name,
  version: row.version,
  partition: row.partition,
  event: row.event,
  error: row.error,
  parked: row.parked,
  createdAt: row.created_at,
});

/**
 * Lists and retries the events that failed under the 'skip' and 'park' policies. A retry
 * hands the events to the processor's sink in the order they were dead-lettered (a
 * projection's `apply`, a reactor's `handle` behind its inbox, a relay's `publish`, acked
 * before the removal commits), in one transaction with their removal, holding the projection's row so no batch runs meanwhile (a parked stream's
 * next event then finds the stream unparked, never half-retried).
 *
 * @example
 * const letters = await runner.deadLetters.list('order_history');
 * await runner.deadLetters.retry('order_history'); // after fixing apply
 */
export function createDeadLetters(
  readModels: SqlExecutor,
  schema: string,
  readModelSchema: string,
  processors: readonly ProcessorDefinition[],
): DeadLetters {
  const s = quoteIdentifier(schema);
  return {
    async list(name) {
      const { rows } = await readModels.query<Row>(
        `SELECT ${columns} FROM ${s}.dead_letters AS d
          WHERE $1::text IS NULL OR d.name = $1 ORDER BY d.id`,
        [name ?? null],
      );
      return rows.map(toDeadLetter);
    },
    async retry(idOrName, { signal = new AbortController().signal } = {}) {
      const byId = /^\d+$/.test(idOrName);
      return readModels.transaction(async (tx) => {
        const { rows } = await tx.query<Row>(
          `SELECT ${columns} FROM ${s}.dead_letters AS d
            WHERE ${byId ? 'd.id = $1::bigint' : 'd.name = $1'} ORDER BY d.id FOR UPDATE`,
          [idOrName],
        );
        const names = [...new Set(rows.map((row) => row.name))].sort();
        for (const name of names) {
          await tx.query(`SELECT 1 FROM ${s}.projections WHERE name = $1 FOR UPDATE`, [name]);
        }
        const groups = new Map<string, Row[]>();
        for (const row of rows) {
          const key = `${row.name}@${row.version}`;
          groups.set(key, [...(groups.get(key) ?? []), row]);
        }
        for (const group of groups.values()) {
          const first = group[0]!;
          const processor = processors.find(
            (p) => p.name === first.name && p.version === first.version,
          );
          if (!processor) {
            throw new DuetError(
              'UNKNOWN_PROJECTION',
              `dead letters of ${first.name} version ${first.version}: this runner does not have that processor version`,
            );
          }
          const events = group.map((row) => row.event);
          if (processor.kind === 'projection') {
            const tables = projectionTables(readModelSchema, processor.name, processor.version);
            await processor.apply(tx, events, tables);
          } else if (processor.kind === 'reactor') {
            await handleWithInbox(tx, schema, processor, events, signal);
          } else {
            await processor.publish(events, { signal });
          }
        }
        await tx.query(`DELETE FROM ${s}.dead_letters WHERE id = ANY($1::bigint[])`, [
          rows.map((row) => row.id),
        ]);
        for (const name of names) {
          await tx.query('SELECT pg_notify($1, $2)', [checkpointsChannel(schema), name]);
        }
        return rows.length;
      });
    },
  };
}
