import {
  type Contracts,
  defineContracts,
  defineIntegrationEvent,
  defineMessageStream,
  type MessageStreamDefinition,
} from '@duet/core';
import { uniqueService } from '@duet/nats/testing';
import { objectSchema } from '../lag/object-schema.ts';
import { ORDER_EVENT_TYPES, type OrderEvent } from '../project/order-events.ts';

/** The publishing service of the relay bench: its contracts and its JetStream stream. */
export interface OrdersService {
  /** Unique per call (`orders_<random>`), so runs never share subjects or streams. */
  readonly service: string;
  readonly contracts: Contracts;
  readonly stream: MessageStreamDefinition;
}

const orderData = objectSchema<OrderEvent['data']>({
  orderId: 'string',
  sku: 'string',
  quantity: 'number',
  amount: 'number',
  currency: 'string',
});

/**
 * One integration event per order event type (`<service>.OrderPlaced`, ...), publishing
 * the domain event's data as is (about 100 bytes of JSON), checked against a schema as a
 * real contract would be. The stream uses Duet's defaults (1 replica, 2-minute duplicate
 * window) under a bench name, `BENCH_ORDERS_<RANDOM>`.
 */
export function ordersService(): OrdersService {
  const service = uniqueService('orders');
  const events = ORDER_EVENT_TYPES.map((type) =>
    defineIntegrationEvent({ service, name: type, schema: orderData, from: type }),
  );
  return {
    service,
    contracts: defineContracts(service, events),
    stream: defineMessageStream({ service, name: `BENCH_${service.toUpperCase()}` }),
  };
}
