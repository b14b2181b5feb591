import { runPersonalDataKeysConformance } from '../testing/personal-data-keys-conformance.ts';
import { createInMemoryPersonalDataKeys } from './in-memory-personal-data-keys.ts';

runPersonalDataKeysConformance({
  name: 'in-memory',
  create: async () => ({ keys: createInMemoryPersonalDataKeys() }),
});
