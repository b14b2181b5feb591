import { runEventStoreConformance } from '../testing/event-store-conformance.ts';
import { createInMemoryEventStore } from './in-memory-event-store.ts';

// packages/core/README.md shows this region: an adapter's whole EventStore contract in one call.
// #region conformance
runEventStoreConformance({
  name: 'in-memory',
  // Cheap here: more runs than the default.
  modelRuns: { sequential: 150, concurrent: 100 },
  create: async () => {
    const store = createInMemoryEventStore();
    return {
      store,
      dispose: async () => {
        await store[Symbol.asyncDispose]();
      },
    };
  },
});
// #endregion conformance
