import { ValidationError } from '../errors/validation-error.ts';
import type { CheckpointStore } from '../event-store/checkpoint-store.ts';
import { isPosition, type Position } from '../event-store/position.ts';

/**
 * A checkpoint store in memory, for unit tests of projections and subscribers. Like every
 * checkpoint store it never moves a checkpoint backwards: saving an older position is a
 * no-op, so a redelivered batch cannot rewind a projection.
 *
 * @example
 * const checkpoints = createInMemoryCheckpointStore();
 * await checkpoints.save('order-history', event.position);
 */
export function createInMemoryCheckpointStore(): CheckpointStore {
  const checkpoints = new Map<string, Position>();
  return {
    async load(name) {
      checkName(name);
      return checkpoints.get(name) ?? null;
    },
    async save(name, position) {
      checkName(name);
      if (!isPosition(position)) {
        throw new ValidationError(`checkpoint ${name}`, [
          { path: ['position'], message: 'expected a position token' },
        ]);
      }
      const current = checkpoints.get(name);
      if (current === undefined || position > current) checkpoints.set(name, position);
    },
  };
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ValidationError('checkpoint name', [
      { path: [], message: 'expected a non-empty string' },
    ]);
  }
}
