export interface Snapshot<State = unknown> {
  readonly stream: string;
  /** The stream version the state includes. */
  readonly streamVersion: number;
  /** The decider's snapshot version: bump it when the state's shape changes. */
  readonly deciderVersion: number;
  readonly state: State;
}

/**
 * Stores a decider's state at a stream version so loading reads only the tail.
 *
 * @example
 * await snapshots.save({ stream: 'order-1', streamVersion: 200, deciderVersion: 1, state });
 * const snap = await snapshots.load('order-1', 1);
 */
export interface SnapshotStore {
  /** The newest snapshot for this decider version, or null. */
  load<State>(stream: string, deciderVersion: number): Promise<Snapshot<State> | null>;
  /** Saves a snapshot, replacing an older one of the same stream and decider version. */
  save<State>(snapshot: Snapshot<State>): Promise<void>;
}
