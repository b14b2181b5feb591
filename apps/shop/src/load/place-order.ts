import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadOutcome } from '@duet/cli';
import type { QueryResultOf } from '@duet/core';
import type { OrderDetail } from '../orders/queries/order-queries.ts';
import type { LoadCustomer } from './ensure-customers.ts';
import type { LoadProduct } from './ensure-products.ts';
import type { HistoryWatcher } from './history-watcher.ts';
import { replyProblem, type ShopHttp, type ShopReply } from './shop-http.ts';

type Detail = QueryResultOf<typeof OrderDetail>;

/** One order to place: who, which id, which lines. */
export interface OrderPlan {
  readonly orderId: string;
  readonly customer: LoadCustomer;
  readonly lines: readonly { readonly product: LoadProduct; readonly quantity: number }[];
}

/** How long AddItem is retried while the orders service has not heard of a product. */
const UNKNOWN_PRODUCT_RETRY_MS = 10_000;

/**
 * Fills a cart and places it as a customer does (AddItem per line at the catalog's price,
 * then PlaceOrder), then waits until the order history shows it settled. Confirmed orders
 * count as `confirmed`; cancelled ones as `cancelled: <why>`, `why` being the cancel
 * reason's stable first words (`out of stock`, `credit refused`, `payment declined`,
 * `payment timed out`) from OrderDetail; a refused request as `failed: <Command> HTTP ...`.
 *
 * @example
 * const outcome = await placeOrder(http, watcher, plan, accepted, signal);
 */
export async function placeOrder(
  http: ShopHttp,
  watcher: HistoryWatcher,
  plan: OrderPlan,
  accepted: () => void,
  signal: AbortSignal,
): Promise<LoadOutcome> {
  const { orderId, customer } = plan;
  for (const { product, quantity } of plan.lines) {
    const added = await addItem(http, plan, product, quantity, signal);
    if (added.status !== 200) {
      return { outcome: `failed: AddItem ${replyProblem(added)}`, accepted: false };
    }
  }
  const placed = await http.command('orders', 'PlaceOrder', { orderId }, customer.apiKey);
  if (placed.status !== 200) {
    return { outcome: `failed: PlaceOrder ${replyProblem(placed)}`, accepted: false };
  }
  const placedAt = performance.now();
  accepted();
  const sighting = await watcher.watch(orderId, placedAt, signal);
  const times = {
    ...(sighting.visibleMs === undefined ? {} : { visibleMs: sighting.visibleMs }),
    ...(sighting.settledMs === undefined ? {} : { settledMs: sighting.settledMs }),
  };
  if (sighting.status === null) return { outcome: 'not settled', accepted: true, ...times };
  if (sighting.status !== 'cancelled') {
    return { outcome: sighting.status, accepted: true, ...times };
  }
  const detail = await http.query<Detail>('orders', 'OrderDetail', { orderId }, customer.apiKey);
  const why = detail.status === 200 ? reasonWords(detail.body.cancelReason) : 'reason unknown';
  return { outcome: `cancelled: ${why}`, accepted: true, ...times };
}

/** AddItem, tried again while the orders service answers UNKNOWN_PRODUCT. */
async function addItem(
  http: ShopHttp,
  plan: OrderPlan,
  product: LoadProduct,
  quantity: number,
  signal: AbortSignal,
): Promise<ShopReply> {
  const deadline = performance.now() + UNKNOWN_PRODUCT_RETRY_MS;
  for (;;) {
    const reply = await http.command(
      'orders',
      'AddItem',
      { orderId: plan.orderId, sku: product.sku, quantity, unitPriceCents: product.priceCents },
      plan.customer.apiKey,
    );
    const rule = (reply.body as { rule?: unknown } | null)?.rule;
    if (reply.status !== 422 || rule !== 'UNKNOWN_PRODUCT') return reply;
    if (performance.now() > deadline || signal.aborted) return reply;
    await sleep(50);
  }
}

/**
 * The words of a cancel reason before its details (`out of stock: tea` → `out of stock`),
 * so outcomes group by kind. Only for counting: nothing branches on it.
 */
function reasonWords(reason: string | null): string {
  if (reason === null) return 'reason unknown';
  const words = reason.split(':')[0]?.trim().toLowerCase() ?? '';
  return words === '' ? 'reason unknown' : words.slice(0, 40);
}
