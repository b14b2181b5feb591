import { randomBytes } from 'node:crypto';
import { defineLoadWorkload, type LoadPrincipal } from '@duet/cli';
import { shopPrincipals } from '../http/shop-principals.ts';
import { ensureCustomers, type LoadCustomer } from './ensure-customers.ts';
import { ensureProducts } from './ensure-products.ts';
import { createHistoryWatcher } from './history-watcher.ts';
import { placeOrder } from './place-order.ts';
import { createShopHttp, loadServices } from './shop-http.ts';

/** Products the run orders from; each order has one or two lines of one unit each. */
const PRODUCTS = 8;

/**
 * The shop's load (`duet load shop`): with the staff key it makes sure products
 * `load-1` ... `load-8` exist with stock for the whole run; with each customer key it
 * registers the customer (and lifts its credit limit) if needed; then each unit is one
 * order of one or two lines, placed by the customers in turn and watched in the order
 * history until it settles. Keys come from `--api-keys`, else `SHOP_API_KEYS`, else the
 * demo keys `npm start` prints: one with role `staff` and at least one `customer`.
 *
 * @example
 * // apps/shop/duet.config.ts
 * export default defineCliConfig({ workloads: { shop: shopLoadWorkload } });
 */
export const shopLoadWorkload = defineLoadWorkload({
  description: 'customers fill carts and place orders; each is watched in the order history',
  services: loadServices,
  unit: 'orders',
  accepted: 'placed',
  success: 'confirmed',
  async prepare(context) {
    const principals: Readonly<Record<string, LoadPrincipal>> =
      context.apiKeys ?? shopPrincipals(process.env);
    const keys = Object.entries(principals);
    const staffKey = keys.find(([, p]) => p.roles.includes('staff'))?.[0];
    const customers: LoadCustomer[] = keys
      .filter(([, p]) => p.roles.includes('customer'))
      .map(([apiKey, p]) => ({ id: p.id, apiKey }));
    if (staffKey === undefined || customers.length === 0) {
      throw new Error(
        'the shop workload needs an API key with role staff and at least one with role customer (--api-keys, DUET_API_KEYS or SHOP_API_KEYS)',
      );
    }
    const http = createShopHttp(context.urls, Math.min(256, Math.max(8, context.concurrency)));
    try {
      context.note(`registering ${customers.length} customers`);
      await ensureCustomers(http, customers, staffKey);
      const unitsEach = Math.ceil((context.expectedUnits * 2) / PRODUCTS) + 100;
      context.note(`stocking ${PRODUCTS} products with ${unitsEach} units each`);
      const products = await ensureProducts(http, {
        count: PRODUCTS,
        unitsEach,
        staffKey,
        signal: context.signal,
      });
      const watcher = createHistoryWatcher(http, staffKey);
      const runId = randomBytes(3).toString('hex');
      const orderIdPrefix = `load-${runId}-`;
      return {
        run(index, accepted, signal) {
          const first = Math.floor(Math.random() * products.length);
          const count = 1 + (index % 2);
          const lines = Array.from({ length: count }, (_, i) => ({
            product: products[(first + i) % products.length]!,
            quantity: 1,
          }));
          const customer = customers[index % customers.length]!;
          const plan = { orderId: `${orderIdPrefix}${index}`, customer, lines };
          return placeOrder(http, watcher, plan, accepted, signal);
        },
        describe: () => ({
          orderIdPrefix,
          customers: customers.map((customer) => customer.id),
          products: products.map((product) => product.sku),
          historyQueryFailures: watcher.failedQueries(),
        }),
        async close() {
          watcher.close();
          await http.close();
        },
      };
    } catch (error) {
      await http.close();
      throw error;
    }
  },
});
