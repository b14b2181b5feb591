import { randomBytes } from 'node:crypto';
import { runTransportConformance } from '@duet/core/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { inject } from 'vitest';
import { openNatsTransport } from './open-nats-transport.ts';
import { testDeadLetters } from './testing/index.ts';

// The core Transport contract on the real NATS server. The suite's streams start `T_svc`.
const natsUrl = inject('natsUrl');
if (natsUrl === null) {
  console.warn('skipping the NATS transport conformance run: no NATS reachable');
} else {
  // The same contract with a subject namespace, and with tenants in subjects (issue 13):
  // both must be invisible to the transport's users but for `message.tenant`.
  const namespace = `t_ns_${randomBytes(4).toString('hex')}`;
  const variants: { subjectPrefix?: string; tenantSubjects?: boolean }[] = [
    {},
    { subjectPrefix: namespace },
    { tenantSubjects: true },
    { subjectPrefix: `${namespace}_t`, tenantSubjects: true },
  ];
  for (const variant of variants) {
    const label = [
      variant.subjectPrefix ? `subjectPrefix ${variant.subjectPrefix}` : '',
      variant.tenantSubjects ? 'tenantSubjects' : '',
    ].filter(Boolean);
    runTransportConformance({
      name: label.length > 0 ? `NATS JetStream with ${label.join(' and ')}` : 'NATS JetStream',
      tenantSubjects: variant.tenantSubjects === true,
      create: async () => {
        const deadLetters = testDeadLetters();
        const transport = await openNatsTransport({ servers: natsUrl, deadLetters, ...variant });
        return {
          transport,
          dispose: async () => {
            const jsm = await jetstreamManager(transport.connection);
            for await (const name of jsm.streams.names()) {
              if (name === deadLetters.stream || name.startsWith('T_svc')) {
                await jsm.streams.delete(name).catch(() => false);
              }
            }
            await transport.close();
          },
        };
      },
    });
  }
}
