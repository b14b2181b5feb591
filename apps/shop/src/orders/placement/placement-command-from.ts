import { type IntegrationMessage, type Schema, validate } from '@duet/core';
import { StockReservationRefusedV1, StockReservedV1 } from '../../contracts/catalog-contracts.ts';
import {
  CreditReservationRefusedV1,
  CreditReservedV1,
} from '../../contracts/customer-contracts.ts';
import { PaymentAuthorizedV1, PaymentDeclinedV1 } from '../../contracts/payment-contracts.ts';
import type { OrderEvent } from '../order-events.ts';
import {
  type PlacementCommand,
  RecordCreditRefused,
  RecordCreditReserved,
  RecordOrderCancelled,
  RecordOrderShipped,
  RecordPaymentAuthorized,
  RecordPaymentDeclined,
  RecordStockRefused,
  RecordStockReserved,
  StartPlacement,
} from './placement-commands.ts';

// The contracts leave texts unbounded, the commands do not: cut, never refuse, an answer
// the saga must act on.
const clip = (text: string) => text.slice(0, 1_000);

// `at` is the wiring's clock when it handles the message, not the message's occurredAt:
// after an outage a backlog of old answers would otherwise set payment timeouts that are
// already past, and time out every order at once.

/**
 * The answers the saga consumes, by publishing service: pass each list as the `events`
 * of that service's integration consumer.
 *
 * @example
 * createIntegrationConsumer({ ..., contracts: catalogContracts, events: placementAnswers.catalog });
 */
export const placementAnswers = {
  catalog: [StockReservedV1, StockReservationRefusedV1],
  customers: [CreditReservedV1, CreditReservationRefusedV1],
  payments: [PaymentAuthorizedV1, PaymentDeclinedV1],
} as const;

/**
 * The saga's command for one of the orders service's own events: `OrderPlaced` starts a
 * placement, `OrderCancelled` stops one; undefined for the others.
 *
 * @example
 * const command = placementCommandFromOrderEvent(event, now.toISOString());
 * if (command) await bus.send(command, PLACEMENT_SAGA_CONTEXT);
 */
export function placementCommandFromOrderEvent(
  event: OrderEvent,
  at: string,
): PlacementCommand | undefined {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, lines, totalCents } = event.data;
      return StartPlacement.create({ orderId, customerId, lines, totalCents, at });
    }
    case 'OrderCancelled': {
      const { orderId, reason } = event.data;
      return RecordOrderCancelled.create({ orderId, reason, at });
    }
    case 'OrderShipped':
      return RecordOrderShipped.create({ orderId: event.data.orderId, at });
    default:
      return undefined;
  }
}

/**
 * The saga's command for an answer from catalog, customers or payments, or undefined for
 * any other message. Checks the data against the answer's contract first (the consumer
 * has, but a replayed dead letter may come from anywhere).
 *
 * @example
 * const command = await placementCommandFrom(message, now.toISOString());
 * // StockReserved { orderId: 'o-1', lines } → { type: 'RecordStockReserved', data: { orderId: 'o-1', at } }
 */
export async function placementCommandFrom(
  message: Pick<IntegrationMessage, 'service' | 'type' | 'subject' | 'id' | 'data'>,
  at: string,
): Promise<PlacementCommand | undefined> {
  const check = <Data>(schema: Schema<Data>) =>
    validate(schema, message.data, `message ${message.subject} ${message.id}`);
  switch (`${message.service}.${message.type}`) {
    case StockReservedV1.subject: {
      const { orderId } = await check(StockReservedV1.schema);
      return RecordStockReserved.create({ orderId, at });
    }
    case StockReservationRefusedV1.subject: {
      const { orderId, sku, reason } = await check(StockReservationRefusedV1.schema);
      return RecordStockRefused.create({ orderId, sku: clip(sku), reason: clip(reason), at });
    }
    case CreditReservedV1.subject: {
      const { orderId, amountCents } = await check(CreditReservedV1.schema);
      return RecordCreditReserved.create({ orderId, amountCents, at });
    }
    case CreditReservationRefusedV1.subject: {
      const { orderId, reason } = await check(CreditReservationRefusedV1.schema);
      return RecordCreditRefused.create({ orderId, reason: clip(reason), at });
    }
    case PaymentAuthorizedV1.subject: {
      const { orderId, paymentId, amountCents } = await check(PaymentAuthorizedV1.schema);
      return RecordPaymentAuthorized.create({
        orderId,
        paymentId: clip(paymentId),
        amountCents,
        at,
      });
    }
    case PaymentDeclinedV1.subject: {
      const { orderId, reason } = await check(PaymentDeclinedV1.schema);
      return RecordPaymentDeclined.create({ orderId, reason: clip(reason), at });
    }
    default:
      return undefined;
  }
}
