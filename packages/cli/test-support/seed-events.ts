import type { EventStore } from '@duet/core';

/** The streams every CLI test finds: three orders of two or three events and one cart. */
export async function seedEvents(store: Pick<EventStore, 'append'>): Promise<void> {
  for (const id of ['1', '2', '3']) {
    await store.append(`order-${id}`, [
      { type: 'ItemAdded', data: { sku: 'apple', quantity: 1 } },
      { type: 'ItemAdded', data: { sku: 'pear', quantity: 2 } },
    ]);
  }
  await store.append('order-1', [{ type: 'OrderPlaced', data: { orderId: '1' } }]);
  await store.append('cart-9', [{ type: 'CartOpened', data: {} }]);
}
