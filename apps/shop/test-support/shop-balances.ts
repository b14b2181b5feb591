// Test support: what each service of a deployment recorded about a set of orders, read in
// SQL from its own events (and the history's table), for balance checks after a fault.
// Each reader is one statement on one service's schema; the tests compare the results.

/** The one method of `pg.Client` these readers call. */
export interface SqlClient {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** An order as the orders service recorded it. */
export interface OrderOutcome {
  readonly orderId: string;
  readonly customerId: string | null;
  readonly totalCents: number;
  /** Units per SKU of its lines. */
  readonly units: Readonly<Record<string, number>>;
  /** How many times each fact was recorded on its stream: each must be 0 or 1. */
  readonly placed: number;
  readonly confirmed: number;
  readonly cancelled: number;
  readonly shipped: number;
  readonly cancelReason: string | null;
}

/** Its status from its facts: shipped, cancelled, confirmed, placed or cart. */
export function statusOf(order: OrderOutcome): string {
  if (order.shipped > 0) return 'shipped';
  if (order.cancelled > 0) return 'cancelled';
  if (order.confirmed > 0) return 'confirmed';
  return order.placed > 0 ? 'placed' : 'cart';
}

/** Holds stock and credit: placed or confirmed, not shipped or cancelled. */
export const isOpen = (order: OrderOutcome): boolean =>
  ['placed', 'confirmed'].includes(statusOf(order));

/**
 * The orders' facts from the orders service's events, by order id (orders never placed
 * are missing).
 *
 * @example
 * const outcomes = await readOrderOutcomes(client, namespace, ['o-1']);
 */
export async function readOrderOutcomes(
  client: SqlClient,
  namespace: string,
  orderIds: readonly string[],
): Promise<Map<string, OrderOutcome>> {
  const { rows } = await client.query<{
    order_id: string;
    customer_id: string | null;
    total_cents: string | null;
    lines: { sku: string; quantity: number }[] | null;
    placed: number;
    confirmed: number;
    cancelled: number;
    shipped: number;
    cancel_reason: string | null;
  }>(
    `SELECT data->>'orderId' AS order_id,
            max(data->>'customerId') FILTER (WHERE type = 'OrderPlaced') AS customer_id,
            max(data->>'totalCents') FILTER (WHERE type = 'OrderPlaced') AS total_cents,
            (array_agg(data->'lines') FILTER (WHERE type = 'OrderPlaced'))[1] AS lines,
            count(*) FILTER (WHERE type = 'OrderPlaced')::int AS placed,
            count(*) FILTER (WHERE type = 'OrderConfirmed')::int AS confirmed,
            count(*) FILTER (WHERE type = 'OrderCancelled')::int AS cancelled,
            count(*) FILTER (WHERE type = 'OrderShipped')::int AS shipped,
            max(data->>'reason') FILTER (WHERE type = 'OrderCancelled') AS cancel_reason
       FROM "${namespace}_orders".events
      WHERE stream = ANY($1) AND category = 'order'
      GROUP BY data->>'orderId'
     HAVING count(*) FILTER (WHERE type = 'OrderPlaced') > 0`,
    [orderIds.map((orderId) => `order-${orderId}`)],
  );
  return new Map(
    rows.map((row) => {
      const units: Record<string, number> = {};
      for (const { sku, quantity } of row.lines ?? []) units[sku] = (units[sku] ?? 0) + quantity;
      return [
        row.order_id,
        {
          orderId: row.order_id,
          customerId: row.customer_id,
          totalCents: Number(row.total_cents ?? 0),
          units,
          placed: row.placed,
          confirmed: row.confirmed,
          cancelled: row.cancelled,
          shipped: row.shipped,
          cancelReason: row.cancel_reason,
        },
      ];
    }),
  );
}

/** One product's stock as its catalog stream recorded it. */
export interface StockLedger {
  readonly onHand: number;
  readonly reserved: number;
  /** The least `onHand - reserved` after any event of the stream: never below 0. */
  readonly leastAvailable: number;
  /** Per order: units held now, and how many `StockReserved` it got (0 or 1). */
  readonly orders: Readonly<Record<string, { held: number; reservations: number }>>;
}

/**
 * Folds the product stream `product-<sku>` in the catalog's events: units on hand and
 * reserved at every version, and what each order holds.
 *
 * @example
 * const { reserved, leastAvailable } = await readStockLedger(client, namespace, 'tea');
 */
export async function readStockLedger(
  client: SqlClient,
  namespace: string,
  sku: string,
): Promise<StockLedger> {
  // Shipping takes units off the shelf and out of the reservation alike.
  const { rows } = await client.query<{
    order_id: string | null;
    type: string;
    on_hand: number;
    reserved: number;
    available: number;
    quantity: number;
  }>(
    `SELECT data->>'orderId' AS order_id, type, (data->>'quantity')::int AS quantity,
            (sum(on_hand_delta) OVER w)::int AS on_hand,
            (sum(reserved_delta) OVER w)::int AS reserved,
            (sum(on_hand_delta) OVER w - sum(reserved_delta) OVER w)::int AS available
       FROM (SELECT stream_version, type, data,
                    CASE type WHEN 'StockReceived' THEN (data->>'quantity')::int
                              WHEN 'StockShipped' THEN -(data->>'quantity')::int
                              ELSE 0 END AS on_hand_delta,
                    CASE type WHEN 'StockReserved' THEN (data->>'quantity')::int
                              WHEN 'StockReleased' THEN -(data->>'quantity')::int
                              WHEN 'StockShipped' THEN -(data->>'quantity')::int
                              ELSE 0 END AS reserved_delta
               FROM "${namespace}_catalog".events
              WHERE stream = $1) AS moves
     WINDOW w AS (ORDER BY stream_version)
      ORDER BY stream_version`,
    [`product-${sku}`],
  );
  const orders: Record<string, { held: number; reservations: number }> = {};
  for (const row of rows) {
    if (row.order_id === null) continue;
    const order = orders[row.order_id] ?? { held: 0, reservations: 0 };
    orders[row.order_id] = order;
    if (row.type === 'StockReserved') {
      order.held += row.quantity;
      order.reservations++;
    } else if (row.type === 'StockReleased' || row.type === 'StockShipped') {
      order.held -= row.quantity;
    }
  }
  const last = rows.at(-1);
  return {
    onHand: last?.on_hand ?? 0,
    reserved: last?.reserved ?? 0,
    leastAvailable: rows.length === 0 ? 0 : Math.min(...rows.map((row) => row.available)),
    orders,
  };
}

/** Per customer and order: cents held now, and how many `CreditReserved` it got (0 or 1). */
export type CreditHolds = Readonly<
  Record<string, Readonly<Record<string, { heldCents: number; reservations: number }>>>
>;

/**
 * The credit the customers service holds for each order, from the customers' streams.
 *
 * @example
 * const holds = await readCreditHolds(client, namespace, ['shopper-1']);
 * holds['shopper-1']?.['o-1']; // { heldCents: 900, reservations: 1 }
 */
export async function readCreditHolds(
  client: SqlClient,
  namespace: string,
  customerIds: readonly string[],
): Promise<CreditHolds> {
  const { rows } = await client.query<{
    customer_id: string;
    order_id: string;
    held_cents: string;
    reservations: number;
  }>(
    `SELECT data->>'customerId' AS customer_id, data->>'orderId' AS order_id,
            sum(CASE type WHEN 'CreditReserved' THEN (data->>'amountCents')::bigint
                          ELSE -(data->>'amountCents')::bigint END) AS held_cents,
            count(*) FILTER (WHERE type = 'CreditReserved')::int AS reservations
       FROM "${namespace}_customers".events
      WHERE stream = ANY($1) AND type IN ('CreditReserved', 'CreditReleased')
      GROUP BY 1, 2`,
    [customerIds.map((customerId) => `customer-${customerId}`)],
  );
  const holds: Record<string, Record<string, { heldCents: number; reservations: number }>> = {};
  for (const row of rows) {
    holds[row.customer_id] = {
      ...holds[row.customer_id],
      [row.order_id]: { heldCents: Number(row.held_cents), reservations: row.reservations },
    };
  }
  return holds;
}

/** How many times each payment fact was recorded for an order. */
export interface PaymentFacts {
  readonly authorized: number;
  readonly declined: number;
  readonly voided: number;
  readonly captured: number;
}

/**
 * The payments service's facts per order, from its `payment-<orderId>` streams (orders
 * that never reached payments are missing).
 *
 * @example
 * const payments = await readPaymentFacts(client, namespace, ['o-1']);
 */
export async function readPaymentFacts(
  client: SqlClient,
  namespace: string,
  orderIds: readonly string[],
): Promise<Map<string, PaymentFacts>> {
  const { rows } = await client.query<{ order_id: string } & PaymentFacts>(
    `SELECT data->>'orderId' AS order_id,
            count(*) FILTER (WHERE type = 'PaymentAuthorized')::int AS authorized,
            count(*) FILTER (WHERE type = 'PaymentDeclined')::int AS declined,
            count(*) FILTER (WHERE type = 'PaymentVoided')::int AS voided,
            count(*) FILTER (WHERE type = 'PaymentCaptured')::int AS captured
       FROM "${namespace}_payments".events
      WHERE stream = ANY($1)
      GROUP BY 1`,
    [orderIds.map((orderId) => `payment-${orderId}`)],
  );
  return new Map(rows.map(({ order_id, ...facts }) => [order_id, facts]));
}

/**
 * Each order's status in the order history's table (orders it has not seen are missing).
 *
 * @example
 * const statuses = await readHistoryStatuses(client, namespace, ['o-1']); // { 'o-1': 'confirmed' }
 */
export async function readHistoryStatuses(
  client: SqlClient,
  namespace: string,
  orderIds: readonly string[],
): Promise<Record<string, string | null>> {
  const { rows } = await client.query<{ order_id: string; status: string | null }>(
    `SELECT order_id, status FROM "${namespace}_order_history".orders_v2
      WHERE order_id = ANY($1) AND placed_at IS NOT NULL`,
    [orderIds],
  );
  return Object.fromEntries(rows.map((row) => [row.order_id, row.status]));
}
