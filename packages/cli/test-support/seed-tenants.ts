import { runInTenant } from '@duet/core';
import { createPostgresEventStore, isolateTenants, type SqlExecutor } from '@duet/postgres';

/**
 * Two tenants with a stream of the same name, `order-1`: tenant `a` holds two events
 * (skus `a-apple`, `a-pear`), tenant `b` one (`b-plum`); tenant `''` has only `cart-0`.
 */
export async function seedTenants(executor: SqlExecutor, schema: string): Promise<void> {
  const plain = createPostgresEventStore({ executor, schema });
  const store = createPostgresEventStore({ executor: isolateTenants(executor), schema });
  const item = (sku: string) => ({ type: 'ItemAdded', data: { sku, quantity: 1 } });
  try {
    await runInTenant('a', () => store.append('order-1', [item('a-apple'), item('a-pear')]));
    await runInTenant('b', () => store.append('order-1', [item('b-plum')]));
    await plain.append('cart-0', [{ type: 'CartOpened', data: {} }]);
  } finally {
    await store.close();
    await plain.close();
  }
}
