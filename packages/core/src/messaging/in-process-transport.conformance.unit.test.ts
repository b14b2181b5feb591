import { runTransportConformance } from '../testing/transport-conformance.ts';
import { createInProcessTransport } from './in-process-transport.ts';

runTransportConformance({
  name: 'in-process',
  create: async () => {
    const transport = createInProcessTransport();
    return { transport, dispose: () => transport.close() };
  },
});
