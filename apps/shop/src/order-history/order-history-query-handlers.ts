import {
  defineQueryHandler,
  type QueryContext,
  type QueryParamsOf,
  type QueryResultOf,
  ValidationError,
} from '@duet/core';
import type { SqlExecutor } from '@duet/postgres';
import { STAFF_ROLE } from '../orders/order-decider.ts';
import { decodeHistoryCursor, encodeHistoryCursor } from './history-cursor.ts';
import type { HistoryTables } from './history-tables.ts';
import { OrderHistory, SearchOrders } from './order-history-queries.ts';

type Params = QueryParamsOf<typeof SearchOrders>;
type Page = QueryResultOf<typeof SearchOrders>;
type Order = Page['orders'][number];

interface Row {
  order_id: string;
  customer_id: string;
  customer_name: string | null;
  shipping_address: Record<string, unknown> | null;
  status: Order['status'];
  total_cents: string | number;
  payment_state: Order['paymentState'];
  placed_key: string;
  updated_at: Date | string;
  lines: Order['lines'];
}

const isStaff = (context: QueryContext) => context.roles?.includes(STAFF_ROLE) === true;

/**
 * The order history's query handlers. `OrderHistory`: customers read their own orders
 * (another customer's id is refused, not answered empty, so it is visible as a bug);
 * staff read anyone's. `SearchOrders`: staff only.
 */
export function orderHistoryQueryHandlers(executor: SqlExecutor, t: HistoryTables) {
  const orderHistory = defineQueryHandler(
    OrderHistory,
    (params, context) =>
      readPage(
        executor,
        t,
        { ...params, customerId: params.customerId ?? context.actor ?? '' },
        OrderHistory.type,
      ),
    {
      authorize: (params, context) => {
        if (isStaff(context)) return params.customerId !== undefined || 'staff name the customer';
        if (context.actor === undefined) return 'sign in to read an order history';
        return (
          params.customerId === undefined ||
          params.customerId === context.actor ||
          'customers read only their own order history'
        );
      },
    },
  );
  const searchOrders = defineQueryHandler(
    SearchOrders,
    (params) => readPage(executor, t, params, SearchOrders.type),
    { authorize: (_, context) => isStaff(context) || 'only staff search all orders' },
  );
  return [orderHistory, searchOrders];
}

/** One keyset page, newest first: the filters given, then rows after the cursor. */
async function readPage(
  executor: SqlExecutor,
  t: HistoryTables,
  params: Params,
  queryType: string,
): Promise<Page> {
  const where = ['o.placed_at IS NOT NULL'];
  const values: unknown[] = [];
  const bind = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (params.customerId !== undefined) where.push(`o.customer_id = ${bind(params.customerId)}`);
  if (params.status !== undefined) where.push(`o.status = ${bind(params.status)}`);
  if (params.sku !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM ${t.orderLines} l WHERE l.sku = ${bind(params.sku)} AND l.order_id = o.order_id)`,
    );
  }
  if (params.text !== undefined) {
    where.push(`o.search @@ to_tsquery('simple', ${bind(prefixQuery(params.text, queryType))})`);
  }
  if (params.after !== undefined) {
    const after = decodeHistoryCursor(params.after, queryType);
    where.push(
      `(o.placed_at, o.order_id) < (${bind(after.placedAt)}::timestamptz, ${bind(after.orderId)}::text)`,
    );
  }
  const { rows } = await executor.query<Row>(
    `SELECT o.order_id, o.customer_id, o.customer_name, o.shipping_address, o.status,
            o.total_cents, o.payment_state, o.updated_at,
            to_char(o.placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS placed_key,
            (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'productName', l.product_name,
                      'quantity', l.quantity, 'unitPriceCents', l.unit_price_cents) ORDER BY l.line_no), '[]')
               FROM ${t.orderLines} l WHERE l.order_id = o.order_id) AS lines
       FROM ${t.orders} o
      WHERE ${where.join(' AND ')}
      ORDER BY o.placed_at DESC, o.order_id DESC
      LIMIT ${bind(params.limit + 1)}`,
    values,
  );
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  return {
    orders: page.map(toOrder),
    next:
      rows.length > params.limit && last
        ? encodeHistoryCursor({ placedAt: last.placed_key, orderId: last.order_id })
        : null,
  };
}

function toOrder(row: Row): Order {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    shippingAddress: row.shipping_address,
    status: row.status,
    totalCents: Number(row.total_cents),
    paymentState: row.payment_state,
    // The microsecond key trimmed to the API's millisecond ISO form.
    placedAt: new Date(row.placed_key).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    lines: (typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines) as Order['lines'],
  };
}

/**
 * Free text as a prefix query: every word must start a word of the item names. Only
 * letters and digits pass, so no input can be tsquery syntax.
 */
function prefixQuery(text: string, queryType: string): string {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) {
    throw new ValidationError(`query ${queryType}`, [
      { path: ['text'], message: 'expected at least one word' },
    ]);
  }
  return words.map((word) => `${word}:*`).join(' & ');
}
