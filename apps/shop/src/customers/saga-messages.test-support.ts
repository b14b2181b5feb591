import { randomUUID } from 'node:crypto';
import {
  type Contracts,
  createInMemoryInbox,
  createIntegrationConsumer,
  type IntegrationDataOf,
  type IntegrationEventDefinition,
  type IntegrationMessage,
  type MessageStreamDefinition,
  type Transport,
  toTransportMessage,
} from '@duet/core';

/**
 * Publishes the orders service's requests as its relay would: each on the order's saga
 * stream `placement-<orderId>`, with versions that follow on per stream, so consumers'
 * inboxes keep their order. `again` publishes a message a second time (same event id,
 * new broker id), as a relay does after a crash.
 *
 * @example
 * const orders = createOrdersPublisher(transport, streams.orders);
 * await orders.publish(CreditReservationRequestedV1, { orderId: 'o-1', customerId: 'ada', amountCents: 500 });
 */
export function createOrdersPublisher(transport: Transport, stream: MessageStreamDefinition) {
  const versions = new Map<string, number>();
  let position = 0;
  const send = (message: IntegrationMessage) => transport.publish([toTransportMessage(message)]);
  // A new broker id, so the broker's de-duplication lets it through and the inbox must
  // drop it (as when a relay was down longer than the duplicate window).
  const copy = (message: IntegrationMessage) =>
    transport.publish([{ ...toTransportMessage(message), id: randomUUID() }]);
  return {
    async publish<D extends IntegrationEventDefinition>(
      contract: D,
      data: IntegrationDataOf<D> & { orderId: string },
    ): Promise<IntegrationMessage> {
      await transport.ensureStreams([stream]);
      const name = `placement-${data.orderId}`;
      const previousVersion = versions.get(name) ?? 0;
      versions.set(name, previousVersion + 1);
      position += 1;
      const message: IntegrationMessage = {
        id: randomUUID(),
        service: 'orders',
        type: contract.name,
        subject: contract.subject,
        version: contract.version,
        stream: name,
        streamVersion: previousVersion + 1,
        previousVersion,
        position: String(position).padStart(12, '0'),
        occurredAt: new Date().toISOString(),
        data,
        metadata: { correlationId: `placement-${data.orderId}` },
      };
      await send(message);
      return message;
    },
    again: copy,
  };
}

/**
 * Listens to a service's stream as another service would (a durable consumer with an
 * in-memory inbox) and keeps every message it sees.
 *
 * @example
 * const answers = await listenTo(transport, streams.customers, customersContracts);
 * await waitUntil(() => answers.messages.some((m) => m.type === 'CreditReserved'));
 */
export async function listenTo(
  transport: Transport,
  source: MessageStreamDefinition,
  contracts: Contracts,
) {
  const messages: IntegrationMessage[] = [];
  const consumer = createIntegrationConsumer({
    name: `test_listens_to_${source.service}`,
    transport,
    inbox: createInMemoryInbox(),
    source,
    contracts,
    handle: async (message) => void messages.push(message),
  });
  await consumer.start();
  return {
    messages,
    /** The messages of one type about one order. */
    about: (type: string, orderId: string) =>
      messages.filter(
        (m) => m.type === type && (m.data as { orderId?: string }).orderId === orderId,
      ),
    stop: () => consumer.stop(),
  };
}

/**
 * Resolves once `condition` holds, looking every 20 ms; fails after `timeoutMs` with
 * `what` in the message. For conditions met by background work (relays, consumers).
 *
 * @example
 * await waitUntil(() => answers.about('CreditReserved', 'o-1').length === 1, 'the reservation');
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
