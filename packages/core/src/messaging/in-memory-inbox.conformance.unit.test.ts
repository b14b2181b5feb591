import { runInboxConformance } from '../testing/inbox-conformance.ts';
import { createInMemoryInbox } from './in-memory-inbox.ts';

runInboxConformance({ name: 'in-memory', create: async () => ({ inbox: createInMemoryInbox() }) });
