import { type CheckpointStore, isPosition, type Position, ValidationError } from '@duet/core';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';

export interface PostgresCheckpointStoreOptions {
  readonly executor: SqlExecutor;
  /** The schema `migrate` created (default 'duet'). */
  readonly schema?: string;
}

/** The checkpoint store, plus `in(tx)` to move a checkpoint inside your own transaction. */
export interface PostgresCheckpointStore extends CheckpointStore {
  /** The same store on a transaction: the checkpoint moves with your read-model writes. */
  in(tx: SqlTransaction): CheckpointStore;
}

/**
 * Where each named subscriber has got to. `save` never moves a checkpoint backwards:
 * position tokens compare as text, so the upsert's WHERE keeps the larger one.
 *
 * @example
 * const checkpoints = createPostgresCheckpointStore({ executor });
 * await checkpoints.save('order-history', event.position);
 */
export function createPostgresCheckpointStore(
  options: PostgresCheckpointStoreOptions,
): PostgresCheckpointStore {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const on = (runner: SqlTransaction): CheckpointStore => ({
    async load(name: string): Promise<Position | null> {
      checkName(name);
      try {
        const { rows } = await runner.query<{ position: string }>(
          `SELECT position FROM "${schema}".checkpoints WHERE name = $1`,
          [name],
        );
        const position = rows[0]?.position;
        return position !== undefined && isPosition(position) ? position : null;
      } catch (error) {
        throw explainMissingSchema(error, schema);
      }
    },
    async save(name: string, position: Position): Promise<void> {
      checkName(name);
      if (!isPosition(position)) {
        throw new ValidationError(`checkpoint ${name}`, [
          { path: ['position'], message: 'expected a position token' },
        ]);
      }
      try {
        await runner.query(
          `INSERT INTO "${schema}".checkpoints AS c (name, position, updated_at)
           VALUES ($1, $2, now())
           ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
           WHERE c.position < excluded.position`,
          [name, position],
        );
      } catch (error) {
        throw explainMissingSchema(error, schema);
      }
    },
  });
  return { ...on(options.executor), in: on };
}

function checkName(name: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new ValidationError('checkpoint name', [
      { path: [], message: 'expected 1 to 200 characters' },
    ]);
  }
}
