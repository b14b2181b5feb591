import { runSnapshotStoreConformance } from '../testing/snapshot-store-conformance.ts';
import { createInMemorySnapshotStore } from './in-memory-snapshot-store.ts';

runSnapshotStoreConformance({
  name: 'in-memory',
  create: async () => ({ store: createInMemorySnapshotStore() }),
});
