import type { IntegrationDataOf, IntegrationEventDefinition } from '@duet/core';
import {
  CreditReleaseRequestedV1,
  CreditReservationRequestedV1,
  PaymentAuthorizationRequestedV1,
  PaymentCaptureRequestedV1,
  PaymentVoidRequestedV1,
  StockReleaseRequestedV1,
  StockReservationRequestedV1,
  StockShipmentRequestedV1,
} from '../../contracts/order-placement-contracts.ts';
import type { PlacementEvent } from './placement-state.ts';

type RequestOf<D> =
  D extends IntegrationEventDefinition<infer Name, infer Data>
    ? { readonly contract: Name; readonly subject: string; readonly data: Data }
    : never;

/** An integration request of the saga: the orders contract it is published as, and its data. */
export type PlacementRequest =
  | RequestOf<typeof StockReservationRequestedV1>
  | RequestOf<typeof StockReleaseRequestedV1>
  | RequestOf<typeof CreditReservationRequestedV1>
  | RequestOf<typeof CreditReleaseRequestedV1>
  | RequestOf<typeof PaymentAuthorizationRequestedV1>
  | RequestOf<typeof PaymentVoidRequestedV1>;

function request<D extends IntegrationEventDefinition>(
  contract: D,
  data: IntegrationDataOf<D>,
): PlacementRequest {
  return { contract: contract.name, subject: contract.subject, data } as PlacementRequest;
}

/**
 * The integration request a saga event stands for: none for the saga's own facts, one
 * for each request event, with the contract's fields only. A list, so a batch maps with
 * `events.flatMap(requestsOf)`. The orders relay publishes the request events by the
 * same contracts without it; use it where no relay runs (tests, a direct transport).
 *
 * @example
 * requestsOf({ type: 'StockReleaseRequested', data: { orderId: 'o-1', reason: 'payment timed out', at } });
 * // [{ contract: 'StockReleaseRequested', subject: 'orders.StockReleaseRequested', data: { orderId: 'o-1', reason: 'payment timed out' } }]
 */
export function requestsOf(event: PlacementEvent): readonly PlacementRequest[] {
  switch (event.type) {
    case 'StockReservationRequested': {
      const { orderId, lines } = event.data;
      return [request(StockReservationRequestedV1, { orderId, lines })];
    }
    case 'StockReleaseRequested': {
      const { orderId, reason } = event.data;
      return [request(StockReleaseRequestedV1, { orderId, reason })];
    }
    case 'CreditReservationRequested': {
      const { orderId, customerId, amountCents } = event.data;
      return [request(CreditReservationRequestedV1, { orderId, customerId, amountCents })];
    }
    case 'CreditReleaseRequested': {
      const { orderId, customerId, reason } = event.data;
      return [request(CreditReleaseRequestedV1, { orderId, customerId, reason })];
    }
    case 'PaymentAuthorizationRequested': {
      const { orderId, customerId, amountCents } = event.data;
      return [request(PaymentAuthorizationRequestedV1, { orderId, customerId, amountCents })];
    }
    case 'PaymentVoidRequested': {
      const { orderId, reason } = event.data;
      return [request(PaymentVoidRequestedV1, { orderId, reason })];
    }
    case 'StockShipmentRequested':
      return [request(StockShipmentRequestedV1, { orderId: event.data.orderId })];
    case 'PaymentCaptureRequested':
      return [request(PaymentCaptureRequestedV1, { orderId: event.data.orderId })];
    default:
      return [];
  }
}
