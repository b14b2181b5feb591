import { type CommandDefinition, ValidationError, validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import {
  AuthorizePayment,
  CapturePayment,
  RefundPayment,
  VoidPayment,
} from './payment-commands.ts';

const check = (definition: CommandDefinition, data: unknown) =>
  validate(definition.schema, data, `command ${definition.type}`);

describe('the payment command schemas', () => {
  it.each([
    [AuthorizePayment, { orderId: 'o-1', customerId: 'ada', amountCents: 0 }],
    [
      AuthorizePayment,
      {
        orderId: 'o-1',
        customerId: 'ada',
        amountCents: 2100,
        gatewayResult: { status: 'approved', authorizationCode: 'A' },
      },
    ],
    [CapturePayment, { orderId: 'o-1' }],
    [VoidPayment, { orderId: 'o-1', reason: 'no stock' }],
    [RefundPayment, { orderId: 'o-1', reason: 'damaged' }],
    [RefundPayment, { orderId: 'o-1', reason: 'damaged', amountCents: 1 }],
  ])('given good input, when %s checks %o, then it passes', async (definition, data) => {
    await expect(check(definition, data)).resolves.toEqual(data);
  });

  it.each([
    [AuthorizePayment, { orderId: 'o-1', customerId: 'ada', amountCents: -1 }, 'amountCents'],
    [AuthorizePayment, { orderId: 'o-1', customerId: 'ada', amountCents: 1.5 }, 'amountCents'],
    [AuthorizePayment, { orderId: '', customerId: 'ada', amountCents: 1 }, 'orderId'],
    [AuthorizePayment, { orderId: 'o-1', amountCents: 1 }, 'customerId'],
    [
      AuthorizePayment,
      { orderId: 'o-1', customerId: 'ada', amountCents: 1, gatewayResult: { status: 'maybe' } },
      'gatewayResult',
    ],
    [CapturePayment, { orderId: 'o-1', amountCents: 5 }, '(root)'],
    [CapturePayment, { orderId: 'x'.repeat(65) }, 'orderId'],
    [VoidPayment, { orderId: 'o-1' }, 'reason'],
    [VoidPayment, { orderId: 'o-1', reason: 'x'.repeat(501) }, 'reason'],
    [RefundPayment, { orderId: 'o-1', reason: 'damaged', amountCents: 0 }, 'amountCents'],
    [RefundPayment, { orderId: 'o-1', reason: 'damaged', amountCents: '5' }, 'amountCents'],
  ])(
    'given bad input, when %s checks %o, then it is refused at %s',
    async (definition, data, path) => {
      const refused = check(definition, data);
      await expect(refused).rejects.toThrow(ValidationError);
      await expect(refused).rejects.toThrow(path);
    },
  );
});
