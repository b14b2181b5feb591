import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import { createInMemoryPersonalDataKeys } from '../personal-data/in-memory-personal-data-keys.ts';
import { isSealedField } from '../personal-data/personal-data-envelope.ts';
import { FORGOTTEN } from '../personal-data/personal-fields.ts';
import { withPersonalData } from '../personal-data/with-personal-data.ts';
import { createIntegrationConsumer } from './create-integration-consumer.ts';
import { createRelay } from './create-relay.ts';
import { defineContracts } from './define-contracts.ts';
import { defineIntegrationEvent } from './define-integration-event.ts';
import { createInMemoryInbox } from './in-memory-inbox.ts';
import { createInProcessTransport } from './in-process-transport.ts';
import type { IntegrationMessage } from './integration-message.ts';
import { defineMessageStream } from './message-stream.ts';
import type { TransportMessage } from './transport.ts';

// Issue 13, section 3: personal fields cross the broker sealed; consumers with the keys open them.

const personal = { subject: (d: { memberId: string }) => `member-${d.memberId}` };
const MemberRenamed = defineEvent(
  'MemberRenamed',
  z.object({ memberId: z.string(), name: z.string().min(2) }),
  { personal: { ...personal, fields: ['name'] } },
);
const MemberRenamedV1 = defineIntegrationEvent({
  service: 'members',
  name: 'MemberRenamed',
  schema: z.object({ memberId: z.string(), name: z.string().min(2) }),
  personal: { ...personal, fields: ['name'] },
  from: MemberRenamed,
});
const contracts = defineContracts('members', [MemberRenamedV1]);
const events = createEventRegistry([MemberRenamed]);
const signal = new AbortController().signal;
const source = defineMessageStream({ service: 'members' });

async function setUp() {
  const keys = createInMemoryPersonalDataKeys();
  const store = withPersonalData(createInMemoryEventStore({ events }), { keys, events });
  const transport = createInProcessTransport();
  await transport.ensureStreams([source]);
  const published: TransportMessage[] = [];
  const recording = {
    ...transport,
    publish: (messages: readonly TransportMessage[], options?: { signal?: AbortSignal }) => {
      published.push(...messages);
      return transport.publish(messages, options);
    },
  };
  const relay = createRelay({ contracts, transport: recording, store, personalData: { keys } });
  const publish = async () => {
    const all: RecordedEvent[] = [];
    for await (const event of store.readAll()) all.push(event);
    await relay.publish?.(all, { signal });
  };
  return { keys, store, transport, published, publish };
}

async function receive(
  transport: ReturnType<typeof createInProcessTransport>,
  options: { keys?: ReturnType<typeof createInMemoryPersonalDataKeys> },
  count: number,
): Promise<IntegrationMessage[]> {
  const seen: IntegrationMessage[] = [];
  const consumer = createIntegrationConsumer({
    name: `c_${Math.random().toString(36).slice(2, 8)}`,
    transport,
    inbox: createInMemoryInbox(),
    source,
    contracts,
    ...(options.keys ? { personalData: { keys: options.keys } } : {}),
    handle: async (message) => void seen.push(message),
  });
  await consumer.start();
  await expect.poll(() => seen.length, { timeout: 5_000, interval: 10 }).toBe(count);
  expect(await consumer.deadLetters()).toEqual([]);
  await consumer.stop();
  return seen;
}

describe('personal data across the broker', () => {
  it('given a contract with personal fields, then the relay publishes them sealed and a consumer with the keys reads them', async () => {
    const { store, transport, published, publish, keys } = await setUp();
    await store.append('member-1', [MemberRenamed.create({ memberId: '1', name: 'Ada Secret' })]);
    await publish();
    expect(published).toHaveLength(1);
    expect(published[0]?.payload).toContain('$personal');
    expect(published.map((m) => m.payload).join('\n')).not.toContain('Ada Secret');
    const [opened] = await receive(transport, { keys }, 1);
    expect(opened?.data).toEqual({ memberId: '1', name: 'Ada Secret' });
  });

  it('given no keys, then a consumer gets the sealed field as it is, never a dead letter', async () => {
    const { store, transport, publish } = await setUp();
    await store.append('member-1', [MemberRenamed.create({ memberId: '1', name: 'Ada Secret' })]);
    await publish();
    const [sealed] = await receive(transport, {}, 1);
    const data = sealed?.data as { name: unknown } | undefined;
    expect(isSealedField(data?.name)).toBe(true);
  });

  it('when the subject is forgotten after publishing, then the consumer reads the replacement, which its schema would refuse, without a dead letter', async () => {
    const { store, transport, publish, keys } = await setUp();
    await store.append('member-1', [MemberRenamed.create({ memberId: '1', name: 'Ada Secret' })]);
    await publish();
    await keys.forget('member-1');
    const [message] = await receive(transport, { keys }, 1);
    expect(message?.data).toEqual({ memberId: '1', name: FORGOTTEN });
  });

  it('when the subject is forgotten before the relay publishes, then the replacement goes out, not the plain text read before', async () => {
    const { store, transport, keys } = await setUp();
    await store.append('member-1', [MemberRenamed.create({ memberId: '1', name: 'Ada Secret' })]);
    const read: RecordedEvent[] = [];
    for await (const event of store.readAll()) read.push(event);
    expect(read[0]?.data).toMatchObject({ name: 'Ada Secret' });
    await keys.forget('member-1');
    const relay = createRelay({ contracts, transport, store, personalData: { keys } });
    await relay.publish?.(read, { signal });
    const [message] = await receive(transport, { keys }, 1);
    expect(message?.data).toEqual({ memberId: '1', name: FORGOTTEN });
    expect(JSON.stringify(message)).not.toContain('Ada Secret');
  });

  it('given a contract with personal fields and no keys, then creating the relay fails at once', () => {
    const store = createInMemoryEventStore({ events });
    expect(() => createRelay({ contracts, transport: createInProcessTransport(), store })).toThrow(
      /personal fields; pass personalData/,
    );
  });
});
