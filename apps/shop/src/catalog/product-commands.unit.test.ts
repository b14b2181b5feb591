import { type Schema, ValidationError, validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import {
  AddProduct,
  ChangePrice,
  ReceiveStock,
  RenameProduct,
  ReserveStock,
} from './product-commands.ts';

describe('the product commands: bad input never reaches a decider', () => {
  it.each([
    ['a SKU with a space', AddProduct, { sku: 'green tea', name: 'Tea', priceCents: 1 }],
    ['an empty SKU', AddProduct, { sku: '', name: 'Tea', priceCents: 1 }],
    ['a 65-character SKU', AddProduct, { sku: 'x'.repeat(65), name: 'Tea', priceCents: 1 }],
    ['a blank name', AddProduct, { sku: 'tea', name: '   ', priceCents: 1 }],
    ['a price of 0', AddProduct, { sku: 'tea', name: 'Tea', priceCents: 0 }],
    ['a fractional price', ChangePrice, { sku: 'tea', priceCents: 4.5 }],
    ['a price as a string', ChangePrice, { sku: 'tea', priceCents: '450' }],
    ['an unknown field', RenameProduct, { sku: 'tea', name: 'Tea', priceCents: 1 }],
    ['a quantity of 0', ReceiveStock, { sku: 'tea', quantity: 0 }],
    ['a negative quantity', ReserveStock, { sku: 'tea', orderId: 'o-1', quantity: -1 }],
    ['no order id', ReserveStock, { sku: 'tea', orderId: '', quantity: 1 }],
  ] as [string, { schema: Schema; type: string }, unknown][])(
    'given %s, then the schema refuses it',
    async (_, command, data) => {
      await expect(validate(command.schema, data, command.type)).rejects.toThrow(ValidationError);
    },
  );

  it('given a product without a description, then the schema accepts it and adds none', async () => {
    const data = { sku: 'tea-01.b_2', name: ' Tea ', priceCents: 450 };
    await expect(validate(AddProduct.schema, data, 'AddProduct')).resolves.toEqual({
      sku: 'tea-01.b_2',
      name: 'Tea',
      priceCents: 450,
    });
  });
});
