import { type IntegrationMessage, validate } from '@duet/core';
import {
  StockReleaseRequestedV1,
  StockReservationRequestedV1,
  StockShipmentRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import type { ReleaseRequest } from './plan-release.ts';
import type { ReservationRequest } from './plan-reservation.ts';
import type { ShipmentRequest } from './plan-shipment.ts';

/** One of the placement saga's requests to this service, as the planners take it. */
export type StockRequest =
  | ({ readonly kind: 'reserve' } & ReservationRequest)
  | ({ readonly kind: 'release' } & ReleaseRequest)
  | ({ readonly kind: 'ship' } & ShipmentRequest);

/**
 * The orders contracts this service consumes: subscribe the integration consumer to
 * these (`events: stockRequestContracts`).
 */
export const stockRequestContracts = [
  StockReservationRequestedV1,
  StockReleaseRequestedV1,
  StockShipmentRequestedV1,
];

/**
 * Turns an orders integration message into a stock request, checked against its
 * contract's schema (`ValidationError` if it fails); `undefined` for any other subject.
 * Prices on the request's lines are dropped: stock is counted in units, and the order
 * keeps the prices it was placed at.
 *
 * @example
 * const request = await stockRequestFrom(message); // { kind: 'reserve', orderId, lines }
 * if (request) await runStockRequest(request); // the wiring: read, plan, append
 */
export async function stockRequestFrom(
  message: Pick<IntegrationMessage, 'subject' | 'data'>,
): Promise<StockRequest | undefined> {
  const { subject, data } = message;
  switch (subject) {
    case StockReservationRequestedV1.subject: {
      const { orderId, lines } = await validate(StockReservationRequestedV1.schema, data, subject);
      return {
        kind: 'reserve',
        orderId,
        lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
      };
    }
    case StockReleaseRequestedV1.subject: {
      const { orderId, reason } = await validate(StockReleaseRequestedV1.schema, data, subject);
      return { kind: 'release', orderId, reason };
    }
    case StockShipmentRequestedV1.subject: {
      const { orderId } = await validate(StockShipmentRequestedV1.schema, data, subject);
      return { kind: 'ship', orderId };
    }
    default:
      return undefined;
  }
}
