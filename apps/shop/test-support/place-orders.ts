// Test support: a load of orders from a few concurrent clients, each a shopper placing
// its orders one after another, with a way to wait until some of them are in.
import { as, postUntilAccepted, sendCommand } from './shop-client.ts';
import { shopperKey } from './shop-test-server.ts';

/** One order of the load: who places it and its single line. */
export interface PlannedOrder {
  readonly orderId: string;
  readonly shopper: number;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface OrderLoad {
  /** How many orders were placed so far. */
  placed(): number;
  /** Resolves once `count` orders were placed (or the load ended first). */
  whenPlaced(count: number): Promise<void>;
  /** Resolves when every client placed all its orders; rejects on the first failure. */
  readonly done: Promise<void>;
}

/**
 * Places the orders over HTTP (AddItem, then PlaceOrder), one client per shopper: a
 * shopper's orders go one after another, the shoppers at once.
 *
 * @example
 * const load = placeOrders(shop.url('orders-api'), planned);
 * await load.whenPlaced(10);
 */
export function placeOrders(ordersUrl: string, orders: readonly PlannedOrder[]): OrderLoad {
  let placed = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const settle = (all: boolean) => {
    for (const waiter of [...waiting]) {
      if (all || placed >= waiter.count) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const byShopper = new Map<number, PlannedOrder[]>();
  for (const order of orders) {
    byShopper.set(order.shopper, [...(byShopper.get(order.shopper) ?? []), order]);
  }
  const client = async (shopper: number, own: readonly PlannedOrder[]) => {
    const key = as(shopperKey(shopper));
    for (const { orderId, sku, quantity, unitPriceCents } of own) {
      // Orders prices carts from the catalog's events: a just-added product may be unknown to it.
      const added = await postUntilAccepted(
        `${ordersUrl}/commands/AddItem`,
        { orderId, sku, quantity, unitPriceCents },
        key,
        ['UNKNOWN_PRODUCT'],
      );
      if (added.status !== 200) throw new Error(`AddItem ${orderId}: ${await added.text()}`);
      await sendCommand(ordersUrl, 'PlaceOrder', { orderId }, key);
      placed++;
      settle(false);
    }
  };
  const done = Promise.all([...byShopper].map(([shopper, own]) => client(shopper, own))).then(
    () => settle(true),
    (error: unknown) => {
      settle(true);
      throw error;
    },
  );
  return {
    placed: () => placed,
    whenPlaced: (count) =>
      placed >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiting.push({ count, resolve })),
    done,
  };
}
