import { DuetError } from '@duet/core';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { explainMissingSchema } from '../../not-migrated-error.ts';
import { controlChannel } from '../tables/notify-channels.ts';
import { setPaused } from '../tables/registry-table.ts';

/** A processor an operator paused. */
export interface ProcessorPause {
  readonly name: string;
  /** When it was first paused (ISO 8601). */
  readonly pausedAt: string;
  /** Who paused it, as given to `pause`. */
  readonly pausedBy?: string;
}

/**
 * Pause and resume, recorded on the processor's registry row and announced on the
 * runners' control channel: every runner of the name, in any process, finishes its batch
 * in flight and waits (state 'paused') until it is resumed.
 */
export function createProcessorPauses(readModels: SqlExecutor, schema: string) {
  const change = async (name: string, pause: { readonly by: string | null } | null) => {
    try {
      return await readModels.transaction(async (tx) => {
        const row = await setPaused(tx, schema, name, pause);
        if (row === undefined) {
          throw new DuetError('UNKNOWN_PROJECTION', `no processor named ${name} has been set up`);
        }
        await tx.query('SELECT pg_notify($1, $2)', [controlChannel(schema), name]);
        return row;
      });
    } catch (error) {
      throw explainMissingSchema(error, schema, 'processors');
    }
  };
  return {
    async pause(name: string, options: { readonly by?: string } = {}): Promise<ProcessorPause> {
      const row = await change(name, { by: options.by ?? null });
      return {
        name,
        pausedAt: row.paused_at ?? new Date().toISOString(),
        ...(row.paused_by === null ? {} : { pausedBy: row.paused_by }),
      };
    },
    async resume(name: string): Promise<void> {
      await change(name, null);
    },
  };
}
