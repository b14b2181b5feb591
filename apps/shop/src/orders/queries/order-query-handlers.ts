import { defineQueryHandler, NotFoundError, ValidationError } from '@duet/core';
import type { ReadModel } from '@duet/postgres';
import { STAFF_ROLE } from '../order-decider.ts';
import { MyOrders, OrderDetail } from './order-queries.ts';

/** Resolves a projection's active tables at query time (blue-green may have switched). */
export type ReadModels = (name: string) => Promise<ReadModel>;

interface SummaryRow {
  order_id: string;
  status: 'cart' | 'placed' | 'confirmed' | 'cancelled' | 'shipped';
  item_count: number;
  total_cents: string | number;
  updated_at: Date | string;
}

interface DetailRow {
  order_id: string;
  customer_id: string;
  status: SummaryRow['status'];
  lines: Record<string, { quantity: number; unitPriceCents: number }>;
  total_cents: string | number;
  tracking_number: string | null;
  cancel_reason: string | null;
  created_at: Date | string;
  placed_at: Date | string | null;
  updated_at: Date | string;
  version: number;
}

const iso = (value: Date | string) => new Date(value).toISOString();

// The cursor is the last row's (updated_at, order_id), opaque to callers.
function encodeCursor(row: SummaryRow): string {
  return Buffer.from(JSON.stringify([iso(row.updated_at), row.order_id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value)) {
      const [at, orderId] = value as unknown[];
      if (typeof at === 'string' && typeof orderId === 'string') return [at, orderId];
    }
  } catch {}
  throw new ValidationError('query MyOrders', [
    { path: ['after'], message: 'not a cursor from a previous page' },
  ]);
}

/** The query handlers of the orders service, reading the projections' active tables. */
export function orderQueryHandlers(readModels: ReadModels) {
  const myOrders = defineQueryHandler(MyOrders, async (params, context) => {
    if (context.actor === undefined) return { orders: [], next: null };
    const { tables, executor } = await readModels('my_orders');
    const after = params.after === undefined ? null : decodeCursor(params.after);
    const { rows } = await executor.query<SummaryRow>(
      `SELECT order_id, status, item_count, total_cents, updated_at FROM ${tables.name('orders')}
       WHERE customer_id = $1 AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (updated_at, order_id) < ($3::timestamptz, $4::text))
       ORDER BY updated_at DESC, order_id DESC LIMIT $5`,
      [
        context.actor,
        params.status ?? null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        params.limit + 1,
      ],
    );
    const page = rows.slice(0, params.limit);
    return {
      orders: page.map((row) => ({
        orderId: row.order_id,
        status: row.status,
        itemCount: Number(row.item_count),
        totalCents: Number(row.total_cents),
        updatedAt: iso(row.updated_at),
      })),
      next: rows.length > params.limit && page.length > 0 ? encodeCursor(page.at(-1)!) : null,
    };
  });

  const orderDetail = defineQueryHandler(OrderDetail, async (params, context) => {
    const { tables, executor } = await readModels('order_detail');
    const { rows } = await executor.query<DetailRow>(
      `SELECT * FROM ${tables.name('orders')} WHERE order_id = $1`,
      [params.orderId],
    );
    const row = rows[0];
    const staff = context.roles?.includes(STAFF_ROLE) === true;
    // Someone else's order is as absent as a missing one.
    if (!row || (!staff && row.customer_id !== context.actor)) {
      throw new NotFoundError('order', params.orderId);
    }
    return {
      orderId: row.order_id,
      customerId: row.customer_id,
      status: row.status,
      lines: Object.entries(row.lines)
        .map(([sku, line]) => ({ sku, ...line }))
        .sort((a, b) => a.sku.localeCompare(b.sku)),
      totalCents: Number(row.total_cents),
      trackingNumber: row.tracking_number,
      cancelReason: row.cancel_reason,
      createdAt: iso(row.created_at),
      placedAt: row.placed_at === null ? null : iso(row.placed_at),
      updatedAt: iso(row.updated_at),
      version: row.version,
    };
  });

  return [myOrders, orderDetail];
}
