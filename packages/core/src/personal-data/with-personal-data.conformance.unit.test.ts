import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import { runEventStoreConformance } from '../testing/event-store-conformance.ts';
import { createInMemoryPersonalDataKeys } from './in-memory-personal-data-keys.ts';
import { withPersonalData } from './with-personal-data.ts';

// The wrapped store is still an EventStore: the whole contract holds through the wrapper
// (its events have no personal fields; with-personal-data.unit.test.ts covers those).
runEventStoreConformance({
  name: 'in-memory, withPersonalData',
  create: async () => {
    const events = createEventRegistry([], { strict: false });
    const inner = createInMemoryEventStore({ events });
    const store = withPersonalData(inner, { keys: createInMemoryPersonalDataKeys(), events });
    return {
      store,
      dispose: async () => {
        await inner[Symbol.asyncDispose]();
      },
    };
  },
});
