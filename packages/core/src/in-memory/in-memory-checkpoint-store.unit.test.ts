import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { makePosition, type Position } from '../event-store/position.ts';
import { createInMemoryCheckpointStore } from './in-memory-checkpoint-store.ts';

describe('createInMemoryCheckpointStore', () => {
  it('given no checkpoint, when loading, then null', async () => {
    expect(await createInMemoryCheckpointStore().load('order-history')).toBeNull();
  });

  it('given saved positions, when an older one is saved, then the checkpoint does not move back', async () => {
    const checkpoints = createInMemoryCheckpointStore();
    await checkpoints.save('order-history', makePosition(0n, 5n));
    await checkpoints.save('order-history', makePosition(0n, 9n));
    await checkpoints.save('order-history', makePosition(0n, 7n));
    expect(await checkpoints.load('order-history')).toBe(makePosition(0n, 9n));
  });

  it('given two names, when saving, then each keeps its own checkpoint', async () => {
    const checkpoints = createInMemoryCheckpointStore();
    await checkpoints.save('a', makePosition(1n, 1n));
    await checkpoints.save('b', makePosition(0n, 2n));
    expect(await checkpoints.load('a')).toBe(makePosition(1n, 1n));
    expect(await checkpoints.load('b')).toBe(makePosition(0n, 2n));
  });

  it('given a malformed position or name, when saving, then ValidationError', async () => {
    const checkpoints = createInMemoryCheckpointStore();
    await expect(checkpoints.save('a', 'nope' as Position)).rejects.toBeInstanceOf(ValidationError);
    await expect(checkpoints.save('', makePosition(0n, 1n))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
