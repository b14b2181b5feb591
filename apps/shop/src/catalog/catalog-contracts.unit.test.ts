import { type RecordedEvent, validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { catalogContracts } from '../contracts/catalog-contracts.ts';
import type { ProductEvent } from './product-events.ts';
import { refusalReasonSchema, type StockReservationEvent } from './stock-reservation-events.ts';

// Domain events as the deciders and planners produce them, one of each published type.
const published: (ProductEvent | StockReservationEvent)[] = [
  { type: 'ProductAdded', data: { sku: 'tea', name: 'Tea', priceCents: 450 } },
  {
    type: 'ProductAdded',
    data: { sku: 'tea', name: 'Tea', description: 'Green', priceCents: 450 },
  },
  { type: 'ProductRenamed', data: { sku: 'tea', name: 'Sencha' } },
  { type: 'PriceChanged', data: { sku: 'tea', priceCents: 500, previousPriceCents: 450 } },
  { type: 'ProductDiscontinued', data: { sku: 'tea' } },
  { type: 'StockReservationMade', data: { orderId: 'o-1', lines: [{ sku: 'tea', quantity: 2 }] } },
  ...refusalReasonSchema.options.map(
    (reason): StockReservationEvent => ({
      type: 'StockReservationRefused',
      data: { orderId: 'o-1', sku: 'tea', reason, message: 'no' },
    }),
  ),
  { type: 'StockReservationReleased', data: { orderId: 'o-1', lines: [], reason: 'declined' } },
  {
    type: 'StockReservationShipped',
    data: { orderId: 'o-1', lines: [{ sku: 'tea', quantity: 2 }] },
  },
];

// The relay maps recorded events; the envelope's fields do not matter to these maps.
const recorded = (event: ProductEvent | StockReservationEvent) => event as unknown as RecordedEvent;

describe('the catalog contracts', () => {
  it.each(published.map((event) => [event.type, event] as const))(
    'given a %s domain event, then its mapped data passes its contract',
    async (_, event) => {
      const contract = catalogContracts.forDomainType(event.type);
      expect(contract).toBeDefined();
      const data = contract!.map(recorded(event));
      await expect(validate(contract!.schema, data, contract!.subject)).resolves.toEqual(data);
    },
  );

  it('given the stock answers, then the saga gets one per order, on the subjects it consumes', () => {
    expect(catalogContracts.forDomainType('StockReservationMade')?.subject).toBe(
      'catalog.StockReserved',
    );
    expect(catalogContracts.forDomainType('StockReservationRefused')?.subject).toBe(
      'catalog.StockReservationRefused',
    );
    expect(catalogContracts.forDomainType('StockReservationReleased')?.subject).toBe(
      'catalog.StockReleased',
    );
    expect(catalogContracts.forDomainType('StockReservationShipped')?.subject).toBe(
      'catalog.StockShipped',
    );
  });

  it('given the per-SKU stock events of product streams, then none is published', () => {
    for (const type of ['StockReceived', 'StockReserved', 'StockReleased', 'StockShipped']) {
      expect(catalogContracts.forDomainType(type)).toBeUndefined();
    }
  });

  it('given a price change, then the contract carries the new price only', () => {
    const contract = catalogContracts.forDomainType('PriceChanged')!;
    expect(contract.map(recorded(published[3]!))).toEqual({ sku: 'tea', priceCents: 500 });
  });

  it('given a release, then only the order id is published', () => {
    const contract = catalogContracts.forDomainType('StockReservationReleased')!;
    const event: StockReservationEvent = {
      type: 'StockReservationReleased',
      data: { orderId: 'o-1', lines: [{ sku: 'tea', quantity: 1 }], reason: 'r' },
    };
    expect(contract.map(recorded(event))).toEqual({ orderId: 'o-1' });
  });
});
