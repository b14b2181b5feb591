import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnavailableError } from '../errors/unavailable-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createRelay } from './create-relay.ts';
import { defineContracts } from './define-contracts.ts';
import { defineIntegrationEvent } from './define-integration-event.ts';
import { createInProcessTransport } from './in-process-transport.ts';
import { defineMessageStream } from './message-stream.ts';

const OrderPlaced = defineEvent('OrderPlaced', z.object({ total: z.number() }));
const contracts = defineContracts('orders', [
  defineIntegrationEvent({
    service: 'orders',
    name: 'OrderPlaced',
    schema: z.object({ total: z.number() }),
    from: OrderPlaced,
  }),
]);

describe('relay logs', () => {
  it('given a logger, when the broker refuses a publish, then a warn line names the relay, the subjects and the error, and the batch is thrown back as unavailable', async () => {
    const lines: { level: string; fields: object; message?: string | undefined }[] = [];
    const at = (level: string) => (fields: object, message?: string) =>
      lines.push({ level, fields, message });
    const transport = {
      ...createInProcessTransport(),
      publish: async () => {
        throw new Error('no responders');
      },
    };
    const store = createInMemoryEventStore();
    await store.append('order-1', [OrderPlaced.create({ total: 3 })]);
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    const relay = createRelay({
      contracts,
      transport,
      store,
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    });
    await expect(
      relay.publish?.(events, { signal: new AbortController().signal }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'relay publish failed, will publish again',
        fields: {
          relay: 'relay_orders',
          transport: 'in-process',
          messages: 1,
          subjects: ['orders.OrderPlaced'],
          first_event_id: events[0]!.id,
          first_position: events[0]!.position,
          error: 'no responders',
        },
      },
    ]);
  });

  it('given tenant subjects and an event whose tenant cannot be a subject token (issue 13), then the batch is a ValidationError, not unavailable, so the runner applies onFailure instead of publishing it forever', async () => {
    const lines: string[] = [];
    const transport = createInProcessTransport({ tenantSubjects: true });
    await transport.ensureStreams([defineMessageStream({ service: 'orders' })]);
    const store = createInMemoryEventStore();
    await store.append('order-1', [
      { ...OrderPlaced.create({ total: 3 }), metadata: { tenant: 'acme.corp' } },
    ]);
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    const log = (_fields: object, message?: string) => void lines.push(String(message));
    const relay = createRelay({
      contracts,
      transport,
      store,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    await expect(
      relay.publish?.(events, { signal: new AbortController().signal }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(lines).toEqual([]);
  });
});
