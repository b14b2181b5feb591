import { ValidationError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { skusToLoad } from './plan-stock-request.ts';
import { stockRequestFrom } from './stock-request.ts';

describe('stockRequestFrom: the orders service’s requests as stock requests', () => {
  it('given a reservation request, then its lines lose their prices', async () => {
    const data = { orderId: 'o-1', lines: [{ sku: 'tea', quantity: 2, unitPriceCents: 450 }] };
    await expect(
      stockRequestFrom({ subject: 'orders.StockReservationRequested', data }),
    ).resolves.toEqual({
      kind: 'reserve',
      orderId: 'o-1',
      lines: [{ sku: 'tea', quantity: 2 }],
    });
  });

  it('given a release and a shipment request, then they map to release and ship', async () => {
    await expect(
      stockRequestFrom({
        subject: 'orders.StockReleaseRequested',
        data: { orderId: 'o-1', reason: 'r' },
      }),
    ).resolves.toEqual({ kind: 'release', orderId: 'o-1', reason: 'r' });
    await expect(
      stockRequestFrom({ subject: 'orders.StockShipmentRequested', data: { orderId: 'o-1' } }),
    ).resolves.toEqual({ kind: 'ship', orderId: 'o-1' });
  });

  it('given a request that breaks its contract, then it is a ValidationError', async () => {
    const data = { orderId: 'o-1', lines: [{ sku: 'tea', quantity: 0, unitPriceCents: 1 }] };
    await expect(
      stockRequestFrom({ subject: 'orders.StockReservationRequested', data }),
    ).rejects.toThrow(ValidationError);
  });

  it('given another subject, then there is nothing to do', async () => {
    await expect(
      stockRequestFrom({ subject: 'orders.OrderPlaced', data: {} }),
    ).resolves.toBeUndefined();
  });
});

describe('skusToLoad', () => {
  const lines = [
    { sku: 'tea', quantity: 1 },
    { sku: 'mug', quantity: 1 },
    { sku: 'tea', quantity: 1 },
  ];
  it('given a new reservation, then its SKUs once each; given an answered one, then none', () => {
    const request = { kind: 'reserve', orderId: 'o-1', lines } as const;
    expect(skusToLoad(request, { status: 'none', lines: [] })).toEqual(['tea', 'mug']);
    expect(skusToLoad(request, { status: 'refused', lines: [] })).toEqual([]);
  });

  it('given a release or shipment of a reserved order, then the SKUs it holds', () => {
    const reservation = { status: 'reserved', lines: [{ sku: 'pot', quantity: 1 }] } as const;
    expect(skusToLoad({ kind: 'ship', orderId: 'o-1' }, reservation)).toEqual(['pot']);
    expect(
      skusToLoad(
        { kind: 'release', orderId: 'o-1', reason: 'r' },
        { status: 'released', lines: [] },
      ),
    ).toEqual([]);
  });
});
