/** One order-like event: the same types and data for every system. */
export interface OrderEvent {
  readonly type: OrderEventType;
  readonly data: {
    readonly orderId: string;
    readonly sku: string;
    readonly quantity: number;
    /** Signed cents: the summary sums it (ItemRemoved and refunds are negative). */
    readonly amount: number;
    readonly currency: 'EUR';
  };
}

export const ORDER_EVENT_TYPES = [
  'OrderPlaced',
  'ItemAdded',
  'ItemRemoved',
  'PaymentAuthorized',
  'OrderShipped',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

// The life of an order after OrderPlaced: mostly items, now and then a removal, a payment,
// a shipment. Cycled, so a stream of any length is valid.
const CYCLE: readonly OrderEventType[] = [
  'ItemAdded',
  'ItemAdded',
  'ItemAdded',
  'ItemRemoved',
  'ItemAdded',
  'PaymentAuthorized',
  'ItemAdded',
  'OrderShipped',
];

/** The stream name of order `index`. */
export const orderStream = (index: number): string => `order-${index}`;

/**
 * Event `version` (1-based) of order `index`: deterministic, about 100 bytes of JSON, so
 * every system stores and projects the same events.
 */
export function orderEvent(index: number, version: number): OrderEvent {
  const type = version === 1 ? 'OrderPlaced' : (CYCLE[(version - 2) % CYCLE.length] ?? 'ItemAdded');
  const quantity = ((index * 7 + version * 3) % 5) + 1;
  const price = ((index * 31 + version * 17) % 200) + 1;
  const amount =
    type === 'ItemAdded'
      ? price * quantity
      : type === 'ItemRemoved'
        ? -price
        : type === 'OrderPlaced'
          ? 0
          : 1;
  return {
    type,
    data: {
      orderId: `o-${index}`,
      sku: `sku-${(index + version) % 997}`,
      quantity,
      amount,
      currency: 'EUR',
    },
  };
}
