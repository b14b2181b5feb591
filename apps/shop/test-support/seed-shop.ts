// Test support: the products and customers a load test starts from, over HTTP.
import { as, sendCommand } from './shop-client.ts';
import { shopperKey } from './shop-test-server.ts';

const staff = as('demo-staff');

/**
 * Adds a product and receives `quantity` units of it (staff commands to the catalog).
 *
 * @example
 * await addStockedProduct(shop.url('catalog'), { sku: 'lamp', name: 'Lamp', priceCents: 900, quantity: 10 });
 */
export async function addStockedProduct(
  catalogUrl: string,
  product: { sku: string; name: string; priceCents: number; quantity: number },
): Promise<void> {
  const { sku, name, priceCents, quantity } = product;
  await sendCommand(catalogUrl, 'AddProduct', { sku, name, priceCents }, staff);
  await sendCommand(catalogUrl, 'ReceiveStock', { sku, quantity }, staff);
}

/**
 * Registers shoppers `shopper-<n>` for each n (each as itself, all at once), with the
 * default credit limit.
 *
 * @example
 * await registerShoppers(shop.url('customers'), [0, 1, 2]);
 */
export async function registerShoppers(
  customersUrl: string,
  shoppers: readonly number[],
): Promise<void> {
  await Promise.all(
    shoppers.map((n) =>
      sendCommand(
        customersUrl,
        'RegisterCustomer',
        {
          customerId: `shopper-${n}`,
          name: `Shopper ${n}`,
          email: `shopper-${n}@example.com`,
          shippingAddress: {
            line1: `${n} Storgatan`,
            city: 'Uppsala',
            postalCode: '75310',
            country: 'SE',
          },
        },
        as(shopperKey(n)),
      ),
    ),
  );
}

/** `count` consecutive shopper numbers from `first`. */
export const shopperRange = (first: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => first + i);
