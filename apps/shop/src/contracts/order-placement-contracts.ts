import { defineContracts, defineIntegrationEvent } from '@duet/core';
import { z } from 'zod';

// What the orders service publishes for the other services (issue 11). The order-placement
// saga in orders asks for stock, credit and payment by publishing request events; catalog,
// customers and payments consume them and answer with their own integration events
// (catalog-contracts.ts, customer-contracts.ts, payment-contracts.ts), which the saga
// consumes. Each contract names the domain event type of the orders service it comes from.

const orderId = z.string().min(1).max(64);
const line = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().min(1),
  unitPriceCents: z.number().int().min(0),
});

export const OrderPlacedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'OrderPlaced',
  description: 'A customer placed an order at these prices; the placement saga starts.',
  schema: z.object({
    orderId,
    customerId: z.string(),
    lines: z.array(line),
    totalCents: z.number().int(),
  }),
  from: 'OrderPlaced',
});
export const OrderConfirmedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'OrderConfirmed',
  schema: z.object({ orderId }),
  from: 'OrderConfirmed',
});
export const OrderCancelledV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'OrderCancelled',
  schema: z.object({ orderId, reason: z.string() }),
  from: 'OrderCancelled',
});
export const OrderShippedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'OrderShipped',
  schema: z.object({ orderId, trackingNumber: z.string() }),
  from: 'OrderShipped',
});

// -- requests of the placement saga: each answered by the service it names --

/** catalog: reserve every line, all or nothing (answer: StockReserved or StockReservationRefused). */
export const StockReservationRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'StockReservationRequested',
  schema: z.object({ orderId, lines: z.array(line) }),
  from: 'StockReservationRequested',
});
/** catalog: release what was reserved for the order (answer: StockReleased). Idempotent. */
export const StockReleaseRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'StockReleaseRequested',
  schema: z.object({ orderId, reason: z.string() }),
  from: 'StockReleaseRequested',
});
/** catalog: the reserved stock leaves the warehouse (answer: StockShipped). */
export const StockShipmentRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'StockShipmentRequested',
  schema: z.object({ orderId }),
  from: 'StockShipmentRequested',
});
/** customers: hold this amount against the customer's credit limit (answer: CreditReserved or CreditReservationRefused). */
export const CreditReservationRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'CreditReservationRequested',
  schema: z.object({ orderId, customerId: z.string(), amountCents: z.number().int().min(0) }),
  from: 'CreditReservationRequested',
});
/** customers: release the order's hold (answer: CreditReleased). Idempotent. */
export const CreditReleaseRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'CreditReleaseRequested',
  schema: z.object({ orderId, customerId: z.string(), reason: z.string() }),
  from: 'CreditReleaseRequested',
});
/** payments: authorize the amount (answer: PaymentAuthorized or PaymentDeclined). */
export const PaymentAuthorizationRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'PaymentAuthorizationRequested',
  schema: z.object({ orderId, customerId: z.string(), amountCents: z.number().int().min(0) }),
  from: 'PaymentAuthorizationRequested',
});
/** payments: void the order's authorization (answer: PaymentVoided). Idempotent. */
export const PaymentVoidRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'PaymentVoidRequested',
  schema: z.object({ orderId, reason: z.string() }),
  from: 'PaymentVoidRequested',
});
/** payments: capture the authorized amount (answer: PaymentCaptured). */
export const PaymentCaptureRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'PaymentCaptureRequested',
  schema: z.object({ orderId }),
  from: 'PaymentCaptureRequested',
});
/** payments: refund a captured payment (answer: PaymentRefunded). */
export const PaymentRefundRequestedV1 = defineIntegrationEvent({
  service: 'orders',
  name: 'PaymentRefundRequested',
  schema: z.object({ orderId, reason: z.string() }),
  from: 'PaymentRefundRequested',
});

export const ordersContracts = defineContracts('orders', [
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCancelledV1,
  OrderShippedV1,
  StockReservationRequestedV1,
  StockReleaseRequestedV1,
  StockShipmentRequestedV1,
  CreditReservationRequestedV1,
  CreditReleaseRequestedV1,
  PaymentAuthorizationRequestedV1,
  PaymentVoidRequestedV1,
  PaymentCaptureRequestedV1,
  PaymentRefundRequestedV1,
]);
