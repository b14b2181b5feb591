import { randomUUID } from 'node:crypto';
import {
  type IntegrationEventDefinition,
  type IntegrationMessage,
  type MessageStreamDefinition,
  type Transport,
  type TransportMessage,
  toTransportMessage,
} from '@duet/core';

/** One request as the orders relay would publish it: a contract and its data. */
export interface OrderRequest {
  readonly orderId: string;
  readonly contract: IntegrationEventDefinition;
  readonly data: unknown;
}

/**
 * Plays the orders service's relay for tests: each order's requests come from its
 * placement stream, `placement-<orderId>`, with consecutive versions, so the consumer's
 * inbox sees them as the real relay would publish them.
 *
 * @example
 * const orders = createOrdersRelayStandIn(transport, streams.orders);
 * const [message] = await orders.publish([{ orderId: 'o-1', contract: StockReservationRequestedV1, data }]);
 */
export function createOrdersRelayStandIn(transport: Transport, stream: MessageStreamDefinition) {
  const versions = new Map<string, number>();
  let position = 0;
  const message = ({ orderId, contract, data }: OrderRequest): IntegrationMessage => {
    const placement = `placement-${orderId}`;
    const previousVersion = versions.get(placement) ?? 0;
    versions.set(placement, previousVersion + 1);
    position += 1;
    return {
      id: randomUUID(),
      service: 'orders',
      type: contract.name,
      subject: contract.subject,
      version: contract.version,
      stream: placement,
      streamVersion: previousVersion + 1,
      previousVersion,
      // Sorts as the store's positions do: fixed width.
      position: String(position).padStart(12, '0'),
      occurredAt: new Date().toISOString(),
      data,
      metadata: { correlationId: `order-${orderId}` },
    };
  };
  return {
    stream,
    /** Publishes all at once, in order; resolves to the messages as published. */
    async publish(requests: readonly OrderRequest[]): Promise<IntegrationMessage[]> {
      const messages = requests.map(message);
      await transport.publish(messages.map(toTransportMessage));
      return messages;
    },
    /** Publishes wire copies as they are (a relay's republish, or a broker copy). */
    republish: (copies: readonly TransportMessage[]) => transport.publish(copies),
  };
}
