import { ValidationError, validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import {
  ChangeShippingAddress,
  RegisterCustomer,
  ReleaseCredit,
  ReserveCredit,
  SetCreditLimit,
} from './customer-commands.ts';

const shippingAddress = {
  line1: '1 Analytical Row',
  city: 'London',
  postalCode: 'W1',
  country: 'GB',
};
const registration = { customerId: 'ada', name: 'Ada', email: 'ada@example.com', shippingAddress };

async function issuesOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((issue) => issue.path.join('.'));
}

describe('the customer command schemas', () => {
  it('given a whole registration, then it passes, names trimmed', async () => {
    const data = await validate(RegisterCustomer.schema, { ...registration, name: ' Ada ' }, 'c');
    expect(data).toEqual(registration);
  });

  it('given a registration without an email or with a bad one, then the email is named', async () => {
    const { email: _, ...noEmail } = registration;
    expect(await issuesOf(validate(RegisterCustomer.schema, noEmail, 'c'))).toEqual(['email']);
    expect(
      await issuesOf(validate(RegisterCustomer.schema, { ...registration, email: 'ada' }, 'c')),
    ).toEqual(['email']);
  });

  it('given an unknown field, then it is refused (strict objects)', async () => {
    const extra = { ...registration, creditLimitCents: 1_000_000 };
    expect(await issuesOf(validate(RegisterCustomer.schema, extra, 'c'))).toEqual(['']);
  });

  it('given an overlong id or an empty name, then each is named', async () => {
    const bad = { ...registration, customerId: 'x'.repeat(65), name: '   ' };
    expect(await issuesOf(validate(RegisterCustomer.schema, bad, 'c'))).toEqual([
      'customerId',
      'name',
    ]);
  });

  it.each(['UK', 'gb', 'XX', 'GBR', ''])(
    'given the country %j, then it is refused',
    async (country) => {
      const data = { customerId: 'ada', shippingAddress: { ...shippingAddress, country } };
      expect(await issuesOf(validate(ChangeShippingAddress.schema, data, 'c'))).toEqual([
        'shippingAddress.country',
      ]);
    },
  );

  it('given an address with an empty second line, then it is refused (leave it out)', async () => {
    const data = { customerId: 'ada', shippingAddress: { ...shippingAddress, line2: '' } };
    expect(await issuesOf(validate(ChangeShippingAddress.schema, data, 'c'))).toEqual([
      'shippingAddress.line2',
    ]);
  });

  it('given negative or fractional cents, then they are refused', async () => {
    const limit = { customerId: 'ada', creditLimitCents: -1 };
    expect(await issuesOf(validate(SetCreditLimit.schema, limit, 'c'))).toEqual([
      'creditLimitCents',
    ]);
    const amount = { customerId: 'ada', orderId: 'o-1', amountCents: 1.5 };
    expect(await issuesOf(validate(ReserveCredit.schema, amount, 'c'))).toEqual(['amountCents']);
  });

  it('given a release without a reason, then it is refused', async () => {
    const data = { customerId: 'ada', orderId: 'o-1', reason: '' };
    expect(await issuesOf(validate(ReleaseCredit.schema, data, 'c'))).toEqual(['reason']);
  });
});
