import { defineContracts, defineIntegrationEvent } from '@duet/core';
import { z } from 'zod';
import type { ProductEvent } from '../catalog/product-events.ts';
import type { StockReservationEvent } from '../catalog/stock-reservation-events.ts';

// What the catalog-and-stock service publishes (issue 11). Product facts come from the
// product streams (`product-<sku>`): the orders service prices carts from them, and the
// order history names products with them. Stock answers come from the order-level
// reservation streams (`stock_reservation-<orderId>`), one answer per order for the
// placement saga; the per-SKU stock events of the product streams are not published.

const sku = z.string().min(1).max(64);
const orderId = z.string().min(1).max(64);
const name = z.string().min(1);
const priceCents = z.number().int().min(1);
const lines = z.array(z.object({ sku, quantity: z.number().int().min(1) })).min(1);

type DomainEvent = ProductEvent | StockReservationEvent;
/** The data of a domain event type, as the relay hands it over (it only passes types in `from`). */
type DataOf<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>['data'];

export const ProductAddedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'ProductAdded',
  description: 'A product is for sale at this price.',
  schema: z.object({ sku, name, description: z.string().optional(), priceCents }),
  from: 'ProductAdded',
});
export const ProductRenamedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'ProductRenamed',
  schema: z.object({ sku, name }),
  from: 'ProductRenamed',
});
export const PriceChangedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'PriceChanged',
  description: 'New orders pay this price; placed orders keep the price they were placed at.',
  schema: z.object({ sku, priceCents }),
  from: 'PriceChanged',
  map: (event) => {
    const { sku, priceCents } = event.data as DataOf<'PriceChanged'>;
    return { sku, priceCents };
  },
});
export const ProductDiscontinuedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'ProductDiscontinued',
  description: 'The product is no longer sold; new reservations of it are refused.',
  schema: z.object({ sku }),
  from: 'ProductDiscontinued',
});

// -- answers to the placement saga's requests (order-placement-contracts.ts) --

/** Every line of the order is held for it. */
export const StockReservedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'StockReserved',
  schema: z.object({ orderId, lines }),
  from: 'StockReservationMade',
});
/** Nothing is held: `sku` is the first line that could not be, `reason` says why. */
export const StockReservationRefusedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'StockReservationRefused',
  schema: z.object({
    orderId,
    sku: z.string().min(1),
    reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_PRODUCT', 'PRODUCT_DISCONTINUED']),
    message: z.string(),
  }),
  from: 'StockReservationRefused',
});
/** The order holds nothing any more (also the answer when it never held anything). */
export const StockReleasedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'StockReleased',
  schema: z.object({ orderId }),
  from: 'StockReservationReleased',
  map: (event) => ({ orderId: (event.data as DataOf<'StockReservationReleased'>).orderId }),
});
/** The order's units left the warehouse. */
export const StockShippedV1 = defineIntegrationEvent({
  service: 'catalog',
  name: 'StockShipped',
  schema: z.object({ orderId }),
  from: 'StockReservationShipped',
  map: (event) => ({ orderId: (event.data as DataOf<'StockReservationShipped'>).orderId }),
});

/**
 * Everything the catalog-and-stock service publishes, for its relay and for consumers.
 *
 * @example
 * createRelay({ store, transport, contracts: catalogContracts, ... });
 * createIntegrationConsumer({ source: catalogStream, contracts: catalogContracts, events: [StockReservedV1], ... });
 */
export const catalogContracts = defineContracts('catalog', [
  ProductAddedV1,
  ProductRenamedV1,
  PriceChangedV1,
  ProductDiscontinuedV1,
  StockReservedV1,
  StockReservationRefusedV1,
  StockReleasedV1,
  StockShippedV1,
]);
