import type { Position } from './position.ts';

/**
 * Where a subscriber (projection, relay) has got to in the global order.
 *
 * @example
 * const from = (await checkpoints.load('order-history')) ?? START_POSITION;
 */
export interface CheckpointStore {
  load(name: string): Promise<Position | null>;
  /** Moves the checkpoint. Never moves it backwards (an older position is ignored). */
  save(name: string, position: Position): Promise<void>;
}
