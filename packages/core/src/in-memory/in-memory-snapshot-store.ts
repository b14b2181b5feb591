import { ValidationError, type ValidationIssue } from '../errors/validation-error.ts';
import type { Snapshot, SnapshotStore } from '../event-store/snapshot-store.ts';

interface StoredSnapshot {
  readonly streamVersion: number;
  /** JSON, so a caller that mutates its state object cannot change the stored snapshot. */
  readonly state: string;
}

/**
 * A snapshot store in memory, for unit tests. State goes through JSON as it would in a
 * database, so a state that does not survive JSON fails here too (ValidationError).
 *
 * @example
 * const snapshots = createInMemorySnapshotStore();
 * await snapshots.save({ stream: 'order-1', streamVersion: 200, deciderVersion: 1, state });
 */
export function createInMemorySnapshotStore(): SnapshotStore {
  const snapshots = new Map<string, StoredSnapshot>();
  // The decider version comes first: a number holds no ':', so two keys never collide.
  const keyOf = (stream: string, deciderVersion: number) => `${deciderVersion}:${stream}`;

  return {
    async load<State>(stream: string, deciderVersion: number) {
      const stored = snapshots.get(keyOf(stream, deciderVersion));
      if (!stored) return null;
      const snapshot: Snapshot<State> = {
        stream,
        streamVersion: stored.streamVersion,
        deciderVersion,
        state: JSON.parse(stored.state) as State,
      };
      return snapshot;
    },
    async save<State>(snapshot: Snapshot<State>) {
      const state = checkSnapshot(snapshot);
      const key = keyOf(snapshot.stream, snapshot.deciderVersion);
      // A slow writer must not replace a newer snapshot with an older one.
      const current = snapshots.get(key);
      if (current && current.streamVersion > snapshot.streamVersion) return;
      snapshots.set(key, { streamVersion: snapshot.streamVersion, state });
    },
  };
}

/** Validates a snapshot and returns its state as JSON. */
function checkSnapshot(snapshot: Snapshot<unknown>): string {
  const issues: ValidationIssue[] = [];
  if (typeof snapshot?.stream !== 'string' || snapshot.stream.length === 0) {
    issues.push({ path: ['stream'], message: 'expected a non-empty stream name' });
  }
  for (const key of ['streamVersion', 'deciderVersion'] as const) {
    const value = snapshot?.[key];
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      issues.push({ path: [key], message: `expected a whole number >= 0, got ${value}` });
    }
  }
  let state: string | undefined;
  try {
    // undefined is no state (the PostgreSQL store refuses it too), not null.
    state = snapshot?.state === undefined ? undefined : JSON.stringify(snapshot.state);
  } catch (error) {
    issues.push({
      path: ['state'],
      message: `not serializable as JSON: ${(error as Error).message}`,
    });
  }
  if (issues.length > 0 || state === undefined) {
    throw new ValidationError(
      'snapshot',
      issues.length > 0 ? issues : [{ path: ['state'], message: 'not serializable as JSON' }],
    );
  }
  return state;
}
