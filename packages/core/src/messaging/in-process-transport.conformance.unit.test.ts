import { runTransportConformance } from '../testing/transport-conformance.ts';
import { createInProcessTransport } from './in-process-transport.ts';

for (const tenantSubjects of [false, true]) {
  runTransportConformance({
    name: tenantSubjects ? 'in-process with tenantSubjects' : 'in-process',
    tenantSubjects,
    create: async () => {
      const transport = createInProcessTransport({ tenantSubjects });
      return { transport, dispose: () => transport.close() };
    },
  });
}
