import { runCheckpointStoreConformance } from '../testing/checkpoint-store-conformance.ts';
import { createInMemoryCheckpointStore } from './in-memory-checkpoint-store.ts';

runCheckpointStoreConformance({
  name: 'in-memory',
  create: async () => ({ store: createInMemoryCheckpointStore() }),
});
